"""How long the database keeps a trivial read waiting, measured beside timed calls: the
part of a slow call that is the database's queue, not the service's work.

A probe is a ``find_one`` by ``_id`` on a collection nobody writes, in the service's
own database: no work for the database to do, so its time is the wait for its turn and
the round trip. The local ``nx-27017`` runs one command at a time per database (a lock
per database file), so a probe of another database would not wait behind the service's
work. Probes go out one after another, ``PROBE_EVERY_S`` apart, while the calls run.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from shared.mongo import create_client

PROBE_EVERY_S = 0.02
#: A probe kept waiting this long: the database was busy with another client's work.
BUSY_MS = 50.0

Span = tuple[float, float]  # perf_counter seconds: sent, answered


@dataclass(frozen=True)
class ProbeTarget:
    """The database server and the service's database on it."""

    url: str
    database: str


@dataclass
class Probes:
    """The probes answered so far (none when the database is not known)."""

    spans: list[Span] = field(default_factory=list)

    def milliseconds(self) -> list[float]:
        return [(end - start) * 1000 for start, end in self.spans]

    def longest_during(self, call: Span) -> float:
        """The longest wait (ms) of the probes in flight during ``call`` (0: none)."""
        start, end = call
        waits = [(e - s) * 1000 for s, e in self.spans if s < end and e > start]
        return max(waits, default=0.0)

    def busy_during(self, calls: Sequence[Span]) -> int:
        """How many of ``calls`` had the database keep a probe waiting ``BUSY_MS``."""
        return sum(self.longest_during(call) >= BUSY_MS for call in calls)

    def quiet_for(self, seconds: float) -> bool:
        """Probes have run for ``seconds`` and none of them waited ``BUSY_MS``."""
        if not self.spans or self.spans[-1][1] - self.spans[0][0] < seconds:
            return False
        since = self.spans[-1][1] - seconds
        return all((e - s) * 1000 < BUSY_MS for s, e in self.spans if e >= since)


@contextlib.asynccontextmanager
async def probing(target: ProbeTarget | None) -> AsyncIterator[Probes]:
    """Probes sent while the block runs (nothing sent when ``target`` is None)."""
    probes = Probes()
    if target is None:
        yield probes
        return
    client = create_client(target.url, app_name="bench-database-probe")
    empty = client[target.database]["bench_probe"]

    async def probe() -> None:
        while True:
            sent = time.perf_counter()
            await empty.find_one({"_id": 0})
            probes.spans.append((sent, time.perf_counter()))
            await asyncio.sleep(PROBE_EVERY_S)

    task = asyncio.create_task(probe())
    try:
        yield probes
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await client.close()


async def until_quiet(target: ProbeTarget | None, *, quiet_s: float, limit_s: float) -> float:
    """Seconds until no probe waited ``BUSY_MS`` for ``quiet_s`` (the platform's trailing
    work done), at most ``limit_s``; 0 when the database is not known."""
    if target is None:
        return 0.0
    started = time.perf_counter()
    async with probing(target) as probes:
        while not probes.quiet_for(quiet_s) and time.perf_counter() - started < limit_s:
            await asyncio.sleep(0.5)
    return time.perf_counter() - started
