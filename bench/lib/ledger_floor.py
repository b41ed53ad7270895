"""The fan-out's database work cut down to the one write no design can drop.

A delivery costs the database a read of its queue item, a claim, a ledger entry (the
record of the delivery, with its ``notifications.deliveries.v1`` event staged on it) and
a delete. Of these only the ledger entry is the product's record: a dispatcher could
read, lease and release differently, but it must write that. So once the fan-out has
run, its ledger entries are inserted again, as they were written (the same documents,
the same indexes, groups of the dispatcher's size), into a collection of their own on
the same server, and the server's CPU seconds for that are counted. Put in place of the
fan-out's whole database CPU, they give the CPU ratio of a dispatcher whose database did
nothing else (``bench/notifications.py``, ``fanout_ledger_only``).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from pymongo import AsyncMongoClient

from bench.lib.cpu import process_cpu_s
from services.notifications.store import DELIVERIES, INDEXES
from shared.mongo import ensure_indexes
from shared.outbox import outbox_indexes

#: The collection the ledger entries are written to again.
AGAIN = "deliveries_again"
#: Idle: the server used under this share of a core over a sampling window.
IDLE_SHARE, WINDOW_S, LIMIT_S = 0.05, 0.5, 20.0


async def ledger_only_cpu_s(
    mongo_url: str, database: str, database_pid: int, *, group: int
) -> tuple[float, int]:
    """(the server's CPU seconds to insert the ledger again, how many entries); ``group``
    is the dispatcher's (``sending._GroupRecorder``: half its concurrency)."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        db = client[database]
        specs = [*INDEXES, *outbox_indexes([DELIVERIES])]
        await ensure_indexes(
            db, [replace(s, collection=AGAIN) for s in specs if s.collection == DELIVERIES]
        )
        entries = await db[DELIVERIES].find({}).to_list()
        await _until_idle(database_pid)  # the fan-out's trailing work (checkpoints) is not counted
        before = process_cpu_s(database_pid)
        for first in range(0, len(entries), group):
            await db[AGAIN].insert_many(entries[first : first + group], ordered=False)
        return process_cpu_s(database_pid) - before, len(entries)
    finally:
        await client.close()


async def _until_idle(pid: int) -> None:
    """Wait (at most ``LIMIT_S``) until the server is idle for a whole window."""
    deadline = time.perf_counter() + LIMIT_S
    while time.perf_counter() < deadline:
        before = process_cpu_s(pid)
        await asyncio.sleep(WINDOW_S)
        if process_cpu_s(pid) - before < IDLE_SHARE * WINDOW_S:
            return
