"""When a consumer group applied events: its processed-events marks (``shared.kafka.dedupe``),
written after the effect, each keyed by a digest of the event id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from shared.kafka.dedupe import COLLECTION as PROCESSED_EVENTS
from shared.kafka.dedupe import processed_key

#: Keys per query: a few thousand ids per ``$in`` keep each request small.
CHUNK = 5000


async def processed_at(db: Any, group: str, event_ids: Iterable[str]) -> dict[str, datetime]:
    """The time ``group`` marked each event applied; events it has not applied are absent."""
    by_key = {processed_key(group, event_id): event_id for event_id in event_ids}
    keys = list(by_key)
    found: dict[str, datetime] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = {"_id": {"$in": keys[start : start + CHUNK]}}
        async for mark in db[PROCESSED_EVENTS].find(chunk):
            found[by_key[mark["_id"]]] = mark["processed_at"]
    return found
