"""Every benchmark script with arguments starts: it imports what it needs and parses them.
(A bench is run by hand, not by the suite; a name it imports from the project can go
away unnoticed until the next person runs it.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(
    path for path in (ROOT / "bench").glob("*.py") if "argparse" in path.read_text(encoding="utf-8")
)


def test_the_benches_are_found() -> None:
    assert {p.name for p in SCRIPTS} >= {"latency.py", "platform.py", "service_scale.py"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_a_bench_script_answers_help(script: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage" in done.stdout.lower()
