"""Which events a consumer group has already applied, in MongoDB.

Keyed by a digest of the envelope id, never the id itself: producers derive event ids
from what they are about (``<program>:<person>:created:0``), and a record of having
applied an event must not outlive a person's erasure as a copy of their id."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from shared.mongo import Document, IndexSpec, duplicate_keys_only

COLLECTION = "processed_events"
RETENTION_S = 30 * 24 * 60 * 60  # longer than any topic's retention

PROCESSED_EVENTS_INDEXES = [
    IndexSpec(
        COLLECTION,
        [("processed_at", 1)],
        name="processed_at_ttl",
        options={"expireAfterSeconds": RETENTION_S},
    )
]


def processed_key(consumer: str, event_id: str) -> str:
    """The record of ``consumer`` having applied the event ``event_id``."""
    digest = hashlib.sha256(event_id.encode()).hexdigest()[:40]
    return f"{consumer}:{digest}"


class ProcessedEvents:
    def __init__(self, db: AsyncDatabase[Document], consumer: str) -> None:
        self.collection = db[COLLECTION]
        self.consumer = consumer

    def _key(self, event_id: str) -> str:
        return processed_key(self.consumer, event_id)

    async def already_processed(self, event_ids: Iterable[str]) -> set[str]:
        by_key = {self._key(i): i for i in event_ids}
        if not by_key:
            return set()
        found = await self.collection.find({"_id": {"$in": list(by_key)}}, {"_id": 1}).to_list()
        return {by_key[doc["_id"]] for doc in found}

    async def mark_processed(self, event_ids: Iterable[str]) -> None:
        now = datetime.now(UTC)
        docs = [{"_id": self._key(i), "processed_at": now} for i in event_ids]
        if not docs:
            return
        try:
            await self.collection.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            # Duplicate keys mean another delivery got there first: that is the point.
            if not duplicate_keys_only(exc):
                raise
