"""How fast this machine is, in seconds of a fixed piece of work, for figures that have
no baseline of their own.

The matching figures are pure computation: a run on another machine (they differ up to
3x here) or under load says little against an absolute target. ``reference_s`` times a
fixed workload shaped like matching's (a large numeric sort and reduction for the
compiled kernels and numpy, a dictionary-heavy loop for the interpreter work around
them), best of a few runs; a figure divided by it (``per_reference``) compares across
machines and sessions where the seconds alone do not.
"""

from __future__ import annotations

import time

import numpy as np

#: Runs of the workload; the fastest counts (the others met more of the machine's noise).
RUNS = 3


def _workload() -> int:
    rng = np.random.default_rng(7)
    values = rng.random(2_000_000)
    order = np.argsort(values, kind="stable")
    sums = np.add.reduceat(values[order], np.arange(0, values.size, 1_000))
    counts: dict[int, int] = {}
    for i in range(300_000):
        key = (i * 2_654_435_761) % 4_093
        counts[key] = counts.get(key, 0) + i
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    return int(sums.size) + ranked[0][0]


def reference_s(runs: int = RUNS) -> float:
    """Seconds of the fixed workload on this machine now (the fastest of ``runs``)."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        _workload()
        best = min(best, time.perf_counter() - started)
    return best
