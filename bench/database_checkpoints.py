"""The local database's slowest commands with its log checkpointed beside the commands,
against the same load with SQLite checkpointing inside a commit (``tools/nx_database.py``).

One client writes a steady load to a collection with four indexes: per step, an insert
of 20 documents and an update of those of five earlier steps. The load runs twice in the
same run, each on a fresh server: ``beside`` (the launcher as it is: a thread copies the
log back once a second) and ``in_commit`` (``NX_CHECKPOINT_EVERY_S=0``: SQLite copies it
in the commit that takes it past 64 MiB, and that command holds every other up). A load
of a few hundred steps never fills the log that far, and both variants measure alike.

  BENCH database_commands checkpoints=<beside|in_commit> steps=<n> p50_ms=<> p99_ms=<>
        p999_ms=<> max_ms=<> database_cpu_s=<s>
  BENCH database_checkpoints max_ratio=<beside/in_commit> p999_ratio=<> p50_ratio=<>

Usage: python bench/database_checkpoints.py [--steps 1500]
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
import random
import tempfile
import time

from pymongo import AsyncMongoClient
from tqdm import tqdm

from bench.lib.cpu import process_cpu_s
from bench.lib.sigterm import sigterm_unwinds
from bench.lib.stats import percentile
from tools.localstack import LocalStack

#: ``NX_CHECKPOINT_EVERY_S`` of each variant (``tools/nx_database.py``).
VARIANTS = {"beside": "1.0", "in_commit": "0"}


async def load(mongo_url: str, steps: int, label: str) -> list[float]:
    """Each step's seconds (insert 20, update those of five earlier steps)."""
    rng = random.Random(7)
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url)
    try:
        collection = client["checkpoints"]["relationships"]
        for field in ("a", "b", "step", "slot"):
            await collection.create_index(field)
        took = []
        for step in tqdm(range(steps), desc=label, unit="step", file=sys.stderr):
            docs = [
                {"_id": f"{step}-{slot}", "a": rng.random(), "b": str(rng.random())}
                | {"step": step, "slot": slot, "pad": "x" * 400}
                for slot in range(20)
            ]
            earlier = [rng.randrange(step + 1) for _ in range(5)]
            started = time.perf_counter()
            await collection.insert_many(docs)
            await collection.update_many({"step": {"$in": earlier}}, {"$set": {"b": "seen"}})
            took.append(time.perf_counter() - started)
        return took
    finally:
        await client.close()


async def variant(name: str, steps: int) -> dict[str, float]:
    os.environ["NX_CHECKPOINT_EVERY_S"] = VARIANTS[name]
    with tempfile.TemporaryDirectory(prefix="bench-checkpoints-") as tmp:
        with LocalStack(Path(tmp) / "stack") as stack:
            database = stack.processes[1].pid  # the broker, then the database
            cpu = process_cpu_s(database)
            took = await load(stack.mongo_url, steps, name)
            cpu = process_cpu_s(database) - cpu
    figures = {
        "p50_ms": percentile(took, 50) * 1000,
        "p99_ms": percentile(took, 99) * 1000,
        "p999_ms": percentile(took, 99.9) * 1000,
        "max_ms": max(took) * 1000,
    }
    shown = " ".join(f"{k}={v:.1f}" for k, v in figures.items())
    print(
        f"BENCH database_commands checkpoints={name} steps={steps} {shown} "
        f"database_cpu_s={cpu:.1f}",
        flush=True,
    )
    return figures


async def main(steps: int) -> None:
    beside = await variant("beside", steps)
    in_commit = await variant("in_commit", steps)
    ratios = " ".join(
        f"{k.removesuffix('_ms')}_ratio={beside[k] / in_commit[k]:.2f}"
        for k in ("max_ms", "p999_ms", "p50_ms")
    )
    print(f"BENCH database_checkpoints {ratios}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1500, help="steps of the load, per variant")
    args = parser.parse_args()
    with sigterm_unwinds():
        asyncio.run(main(args.steps))
