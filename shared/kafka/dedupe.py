"""Which events a consumer group has already applied, keyed by envelope id, in MongoDB."""

from __future__ import annotations

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


class ProcessedEvents:
    def __init__(self, db: AsyncDatabase[Document], consumer: str) -> None:
        self.collection = db[COLLECTION]
        self.consumer = consumer

    def _key(self, event_id: str) -> str:
        return f"{self.consumer}:{event_id}"

    async def already_processed(self, event_ids: Iterable[str]) -> set[str]:
        ids = list(event_ids)
        if not ids:
            return set()
        keys = [self._key(i) for i in ids]
        found = await self.collection.find({"_id": {"$in": keys}}, {"_id": 1}).to_list()
        prefix = len(self.consumer) + 1
        return {doc["_id"][prefix:] for doc in found}

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
