"""A quiet database's read while another database's slow commands queue, on the local
server with its own command threads (``tools/nx_database.py``, ``COMMAND_THREADS``)
against nx-27017's default of asyncio's pool (``NX_COMMAND_THREADS=6``: 6 threads on
2 cores), in the same run.

Per round, ``--slow`` commands that each take tens of milliseconds (an ``update_many``
matched in Python) are sent at once to one database; 50 ms later a ``find_one`` by
``_id`` goes to another database. In MongoDB each connection has a thread of its own,
so the read waits for nothing but the CPU. Prints per variant, then their ratio:

  BENCH database_threads threads=<n> rounds=<n> read_p50_ms=<> read_max_ms=<>
        slow_command_ms=<> finished_before_read=<mean>
  BENCH database_threads_ratio read_p50=<own threads / default pool>

Usage: python bench/database_threads.py [--rounds 10] [--slow 12]
"""

# ruff: noqa: E402  (the import path is fixed before the imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

# The project root, not bench/, first on the path: bench/platform.py would shadow the
# standard library's ``platform`` module.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import os
import statistics
import tempfile
import time

from pymongo import AsyncMongoClient

from bench.lib.sigterm import sigterm_unwinds
from bench.lib.stats import percentile
from tools.localstack import LocalStack

#: ``NX_COMMAND_THREADS`` of each variant: the launcher's own, and nx-27017's default pool.
VARIANTS = {"own": "128", "default": "6"}
SLOW_FILTER = {"v": {"$mod": [7, 3]}}


async def rounds(mongo_url: str, count: int, slow: int) -> tuple[list[float], list[int], float]:
    """Each round's read seconds and slow commands finished before it; one slow command's
    seconds alone."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url, maxPoolSize=slow + 4)
    busy, quiet = client["busy"]["items"], client["quiet"]["items"]
    try:
        await quiet.insert_one({"_id": "answer"})
        await busy.insert_many([{"_id": i, "v": i % 7} for i in range(30_000)])
        started = time.perf_counter()
        await busy.update_many(SLOW_FILTER, {"$inc": {"n": 1}})
        alone = time.perf_counter() - started
        reads, before = [], []
        for _ in range(count):
            finished: list[float] = []

            async def one(finished: list[float]) -> None:
                await busy.update_many(SLOW_FILTER, {"$inc": {"n": 1}})
                finished.append(time.perf_counter())

            tasks = [asyncio.create_task(one(finished)) for _ in range(slow)]
            await asyncio.sleep(0.05)
            sent = time.perf_counter()
            await quiet.find_one({"_id": "answer"})
            answered = time.perf_counter()
            await asyncio.gather(*tasks)
            reads.append(answered - sent)
            before.append(sum(at < answered for at in finished))
        return reads, before, alone
    finally:
        await client.close()


async def variant(name: str, count: int, slow: int) -> float:
    os.environ["NX_COMMAND_THREADS"] = VARIANTS[name]
    with tempfile.TemporaryDirectory(prefix="bench-threads-") as tmp:
        with LocalStack(Path(tmp) / "stack") as stack:
            reads, before, alone = await rounds(stack.mongo_url, count, slow)
    p50 = percentile(reads, 50) * 1000
    print(
        f"BENCH database_threads threads={VARIANTS[name]} rounds={count} "
        f"read_p50_ms={p50:.1f} read_max_ms={max(reads) * 1000:.1f} "
        f"slow_command_ms={alone * 1000:.1f} finished_before_read={statistics.mean(before):.1f}",
        flush=True,
    )
    return p50


async def main(count: int, slow: int) -> None:
    own = await variant("own", count, slow)
    default = await variant("default", count, slow)
    print(f"BENCH database_threads_ratio read_p50={own / default:.3f}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--slow", type=int, default=12, help="slow commands per round")
    args = parser.parse_args()
    with sigterm_unwinds():
        asyncio.run(main(args.rounds, args.slow))
