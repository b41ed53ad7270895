"""The code keeps its shape: small modules with one job, functions that fit on a screen.

A module over 300 lines has more than one job; a function over 60 lines is doing several
things, unless its docstring says why it must stay one piece (the words "one piece").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("services", "shared", "tools", "deploy", "bench")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(p for top in PROJECT for p in (ROOT / top).rglob("*.py"))


def test_no_project_module_is_over_300_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := p.read_text().count("\n")) > MAX_MODULE_LINES
    }
    assert not long, f"split these by job: {long}"


def _long_functions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        reason = ast.get_docstring(node) or ""
        if length > MAX_FUNCTION_LINES and "one piece" not in reason:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_is_over_60_lines_unless_it_says_why() -> None:
    long = [f for p in _modules() for f in _long_functions(p)]
    assert not long, "split these, or say in the docstring why each is one piece:\n" + "\n".join(
        long
    )


@pytest.mark.parametrize("name", ["test_no_project_module_is_over_300_lines"])
def test_the_guard_sees_the_project(name: str) -> None:
    assert len(_modules()) > 100, "the guard must read the project's modules"
