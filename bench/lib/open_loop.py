"""Events at a fixed offered rate, and the bare consumer that is their latency floor."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from kafka import KafkaProducer
from pymongo import ReplaceOne

from shared.contracts.envelope import Envelope
from shared.kafka.dedupe import ProcessedEvents

#: The floor's broker poll: the shortest useful wait of a bare aiokafka fetch.
FLOOR_FETCH_WAIT_MS = 10

Scheduled = tuple[float, str, str, bytes]  # send at, event id, key, value


def send_paced(bootstrap: str, topic: str, events: list[Scheduled]) -> threading.Thread:
    """Send each event at its time from a thread (kafka-python is thread-based)."""

    def run() -> None:
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        producer.partitions_for(topic)  # connected, metadata known before the first send
        for at, _id, key, value in events:
            if (delay := at - time.time()) > 0:
                time.sleep(delay)
            producer.send(topic, key=key.encode(), value=value)
        producer.flush()
        producer.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


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
                seen = await self.marks.already_processed(e.id for e in envelopes)
                fresh = [e for e in envelopes if e.id not in seen]
                if fresh:
                    await self.db.effects.bulk_write(
                        [ReplaceOne({"_id": e.subject}, dict(e.data), upsert=True) for e in fresh]
                    )
                    await self.marks.mark_processed(e.id for e in fresh)
        finally:
            await self.consumer.stop()
