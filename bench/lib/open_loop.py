"""Events at a fixed offered rate, and the bare consumer that is their latency floor."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from kafka import KafkaProducer
from pymongo import ReplaceOne
from pymongo.errors import PyMongoError

from shared.contracts.envelope import Envelope
from shared.kafka.dedupe import ProcessedEvents

#: The floor's broker poll: the shortest useful wait of a bare aiokafka fetch.
FLOOR_FETCH_WAIT_MS = 10

Scheduled = tuple[float, str, str, bytes]  # send at, event id, key, value


class PacedSender:
    """Sends each event at its time, from a process of its own: kafka-python is CPU-hungry,
    and beside the floor consumer it would slow the very floor it is measured against."""

    def __init__(self, bootstrap: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.jobs: Any = context.Queue()
        self.done: Any = context.Queue()
        self.process = context.Process(
            target=_send_jobs, args=(bootstrap, self.jobs, self.done), daemon=True
        )
        self.process.start()

    async def send(self, topic: str, events: list[Scheduled]) -> None:
        """Returns once every event was sent and acknowledged."""
        self.jobs.put((topic, events))
        await asyncio.to_thread(self.done.get)

    def close(self) -> None:
        self.jobs.put(None)
        self.process.join(10)


def _send_jobs(bootstrap: str, jobs: Any, done: Any) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    while (job := jobs.get()) is not None:
        topic, events = job
        producer.partitions_for(topic)  # metadata known before the first send
        for at, _id, key, value in events:
            if (delay := at - time.time()) > 0:
                time.sleep(delay)
            producer.send(topic, key=key.encode(), value=value)
        producer.flush()
        done.put(len(events))
    producer.close()


class FloorConsumer:
    """The bare aiokafka consumer: validate, de-duplicate, upsert, mark, per fetch."""

    def __init__(self, bootstrap: str, topic: str, db: Any, group: str) -> None:
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            fetch_max_wait_ms=FLOOR_FETCH_WAIT_MS,
            max_poll_records=500,
        )
        self.topic = topic
        self.db = db
        self.marks = ProcessedEvents(db, group)
        self.stop = asyncio.Event()

    async def start(self) -> None:
        """Assigned the topic's partitions at their ends, positions resolved."""
        await self.consumer.start()
        await self.consumer._client.force_metadata_update()
        partitions = self.consumer.partitions_for_topic(self.topic) or set()
        tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        self.consumer.assign(tps)
        await self.consumer.seek_to_end(*tps)
        for tp in tps:
            await self.consumer.position(tp)

    async def run(self) -> None:
        try:
            while not self.stop.is_set():
                fetched = await self.consumer.getmany(timeout_ms=200, max_records=500)
                envelopes = [Envelope.from_bytes(r.value) for rs in fetched.values() for r in rs]
                while True:  # as the real consumer: a database hiccup is waited out
                    try:
                        await self._apply(envelopes)
                        break
                    except PyMongoError:
                        await asyncio.sleep(0.1)
        finally:
            await self.consumer.stop()

    async def _apply(self, envelopes: list[Envelope]) -> None:
        seen = await self.marks.already_processed(e.id for e in envelopes)
        fresh = [e for e in envelopes if e.id not in seen]
        if fresh:
            await self.db.effects.bulk_write(
                [ReplaceOne({"_id": e.subject}, dict(e.data), upsert=True) for e in fresh]
            )
            await self.marks.mark_processed(e.id for e in fresh)
