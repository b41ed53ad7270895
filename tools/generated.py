"""Files generated from the code (published contracts, the Kubernetes base, the
dashboard): one way to find what drifted, rewrite it, and offer ``--write``/``--check``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class GeneratedFiles:
    """``build`` yields every file's path and content as the code defines them now;
    ``owned`` lists the files on disk this generator owns (a stale one is deleted)."""

    what: str
    regenerate: str
    build: Callable[[], Iterable[tuple[Path, str]]]
    owned: Callable[[], set[Path]]

    def drifted(self, files: list[tuple[Path, str]] | None = None) -> list[str]:
        """Relative paths that differ from the generated content, are missing, or are stale."""
        files = files if files is not None else list(self.build())
        wanted = {path for path, _ in files}
        problems = [
            str(path.relative_to(ROOT))
            for path, text in files
            if not path.exists() or path.read_text(encoding="utf-8") != text
        ]
        stale = self.owned() - wanted
        problems += [f"{path.relative_to(ROOT)} (no longer generated)" for path in sorted(stale)]
        return problems

    def write(self) -> list[str]:
        files = list(self.build())
        changed = self.drifted(files)
        for path in self.owned() - {path for path, _ in files}:
            path.unlink()
        for path, text in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
        return changed

    def main(self, argv: list[str] | None = None, *, description: str = "") -> int:
        parser = argparse.ArgumentParser(description=description)
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--write", action="store_true", help="regenerate the files")
        mode.add_argument("--check", action="store_true", help="exit 1 if a file drifted")
        args = parser.parse_args(argv)
        if args.write:
            print("\n".join(f"wrote {p}" for p in self.write()) or f"{self.what} up to date")
            return 0
        problems = self.drifted()
        if problems:
            print(f"{self.what} drifted from the code; run:", self.regenerate, file=sys.stderr)
            print("\n".join(f"  {p}" for p in problems), file=sys.stderr)
            return 1
        print(f"{self.what} up to date")
        return 0


def files_in(directory: Path, pattern: str) -> set[Path]:
    return set(directory.glob(pattern)) if directory.exists() else set()
