"""A bench stopped by SIGTERM (``timeout``, a cancelled CI job) unwinds like Ctrl-C, so
the broker, database and services it started are stopped by their ``with`` blocks
rather than left running after it. Python's default for SIGTERM is to die on the spot,
without ``finally`` blocks (within ``asyncio.run`` the main task is then cancelled, so
its blocks unwind too)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    def leave(signum: int, _frame: object) -> None:
        sys.exit(128 + signum)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
