"""CPU seconds, as the kernel counts them. On a shared, loaded machine a run's wall time
follows the CPU share it happens to get; its CPU seconds follow the work it does, so a
ratio of CPU seconds compares two runs measured minutes apart under different loads."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def children_cpu_s() -> float:
    """User + system seconds of this process's finished (waited-for) children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu_s(pid: int) -> float:
    """User + system seconds of a running process (``/proc``; 0.0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
