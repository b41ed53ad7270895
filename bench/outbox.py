"""The outbox relay's throughput on the local broker and database, against its floor.

``N`` documents, each with one staged event (as a published round leaves its matches),
are relayed twice in the same run, each time from a fresh copy:
  floor  a bare relay: read a batch of flagged documents (their events only), publish them
         (``EventProducer.publish_many``, acks=all), clear them in one update; no
         leases, no record of what was published. Nothing correct can do less.
  relay  ``shared.outbox.OutboxRelay.relay_once`` until nothing is left.

  BENCH outbox events=<n> relay_per_s=<n> floor_per_s=<n> ratio=<relay/floor> load=<1-min>

Usage: python bench/outbox.py [--events 20000]
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
import tempfile
import time
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from tqdm import tqdm

from bench.lib.sigterm import sigterm_unwinds
from shared.contracts.envelope import Envelope
from shared.contracts.matching import ProgramClosed
from shared.contracts.registry import PROGRAMS
from shared.kafka.admin import provision_topics
from shared.kafka.producer import EventProducer, OutgoingMessage
from shared.mongo import Document, create_client, ensure_indexes
from shared.outbox import RELAYED_FIELDS, OutboxRelay, outbox_indexes
from shared.outbox_staging import FLAG, PENDING, stage_event
from tools.localstack import LocalStack

BATCH = 500
#: What a match holds besides its events (members, responses, explanation), by shape.
MATCH_FIELDS = {
    "members": [
        {"person_id": "p-000001", "role": "mentor"},
        {"person_id": "p-000002", "role": "mentee"},
    ],
    "responses": {"p-000001": "accepted", "p-000002": "accepted"},
    "explanation": {
        "score": 0.734512,
        "reasons": [
            {"code": code, "weight": 0.2, "value": 0.81, "detail": "python, data"}
            for code in ("skill_fit", "language", "time_overlap", "seniority", "goals")
        ],
    },
    "state": "active",
}


def staged(count: int, tag: str) -> list[Document]:
    """Documents shaped as matches, each with one event waiting."""
    return [
        stage_event(
            {"_id": f"{tag}-{i}", "version": 1, **MATCH_FIELDS},
            PROGRAMS.name,
            Envelope.wrap(
                ProgramClosed(program_id=f"{tag}-{i}"), source="bench", subject=f"{tag}-{i}"
            ),
        )
        for i in range(count)
    ]


async def fill(collection: AsyncCollection[Document], docs: list[Document]) -> None:
    for start in range(0, len(docs), 5_000):
        await collection.insert_many(docs[start : start + 5_000])


async def bare_relay(collection: AsyncCollection[Document], producer: EventProducer) -> int:
    """One floor pass: read, publish, clear."""
    docs = await collection.find({FLAG: True}, RELAYED_FIELDS).limit(BATCH).to_list()
    messages = [
        OutgoingMessage(topic=e["topic"], key=e["key"], value=e["value"].encode(), headers=[])
        for d in docs
        for e in d[PENDING]
    ]
    await producer.publish_many(messages)
    if docs:
        clear = {"$set": {PENDING: [], FLAG: False}}
        await collection.update_many({"_id": {"$in": [d["_id"] for d in docs]}}, clear)
    return len(messages)


async def drain(name: str, count: int, one_pass: Any) -> float:
    """Events per second until ``one_pass`` has relayed all ``count``."""
    started, done = time.perf_counter(), 0
    with tqdm(total=count, desc=name, unit="ev") as bar:
        while done < count:
            relayed = await one_pass()
            assert relayed, f"{name}: nothing relayed with {count - done} left"
            done += relayed
            bar.update(relayed)
    return count / (time.perf_counter() - started)


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, LocalStack(Path(tmp)) as stack:
        provision_topics(stack.bootstrap_servers, topics=[PROGRAMS])
        client = create_client(stack.mongo_url)
        db = client["bench_outbox"]
        await ensure_indexes(db, outbox_indexes(["floor", "relayed"]))
        producer = EventProducer(stack.bootstrap_servers, service="bench")
        try:
            await fill(db["floor"], staged(count, "floor"))
            floor = await drain("floor", count, lambda: bare_relay(db["floor"], producer))
            await fill(db["relayed"], staged(count, "relayed"))
            relay = OutboxRelay(db, ["relayed"], producer, service="bench", batch_size=BATCH)
            relayed = await drain("relay", count, relay.relay_once)
        finally:
            producer.close()
            await client.close()
    print(
        f"BENCH outbox events={count} relay_per_s={relayed:.0f} floor_per_s={floor:.0f} "
        f"ratio={relayed / floor:.2f} load={os.getloadavg()[0]:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    with sigterm_unwinds():
        asyncio.run(main(parser.parse_args().events))
