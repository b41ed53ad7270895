"""A process's memory, as the kernel counts it (``/proc``)."""

from __future__ import annotations

from pathlib import Path


def peak_mib(pid: int | None) -> str:
    """The process's peak resident memory (``VmHWM``), or ``n/a`` without a pid."""
    if pid is None:
        return "n/a"
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return f"{int(line.split()[1]) / 1024:.0f}"
    return "n/a"
