"""What the outbox relays published in the last day, kept to clear stale copies quietly.

Clearing leaves a document's version as it is (a writer must not get a conflict for the
relay's bookkeeping), so a writer that read the document before it was cleared saves the
published events back; the relay clears those without publishing them again. One record
per relay pass holds every event the pass published (one write a pass, not one an event);
a multikey index finds an event in them. A stale copy comes back within a request's or a
consumer batch's life (seconds), so records are kept, and looked through, for an hour: a
copy older than that would be published again, and consumers de-duplicate it by its id.
Kept as keyed fingerprints: an event id may embed a person id, and erasure must leave no
trace of it.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.mongo import Document, IndexSpec
from shared.privacy import pseudonym_key

PUBLISHED = "outbox_published"
PRINTS = "prints"
REMEMBER_PUBLISHED_MS = 3600 * 1000


def fingerprint(event_id: str) -> str:
    """A keyed digest of an event id (``shared.privacy``'s key): the same in every relay,
    and no id to find in an erasure sweep."""
    return hmac.new(pseudonym_key(), event_id.encode(), hashlib.sha256).hexdigest()


def published_indexes() -> list[IndexSpec]:
    """Lookups by fingerprint (multikey) among the last hour's records, and the sweep."""
    return [IndexSpec(PUBLISHED, [(PRINTS, 1)]), IndexSpec(PUBLISHED, [("at_ms", 1)])]


async def already_published(db: AsyncDatabase[Document], event_ids: list[str]) -> set[str]:
    """The ids among ``event_ids`` that a relay's pass published before."""
    if not event_ids:
        return set()
    prints = {fingerprint(i): i for i in event_ids}
    recent = {"$gte": int(time.time() * 1000) - REMEMBER_PUBLISHED_MS}
    records = db[PUBLISHED].find({"at_ms": recent, PRINTS: {"$in": list(prints)}}, {PRINTS: 1})
    return {prints[p] async for record in records for p in record[PRINTS] if p in prints}


async def remember_published(
    db: AsyncDatabase[Document], pass_id: str, event_ids: list[str]
) -> None:
    """Record one pass's published events (its id makes a retried write count once)."""
    if not event_ids:
        return
    record = {
        "_id": pass_id,
        "at_ms": int(time.time() * 1000),
        PRINTS: [fingerprint(i) for i in event_ids],
    }
    try:
        await db[PUBLISHED].insert_one(record)
    except DuplicateKeyError:
        pass


async def forget_old_publications(db: AsyncDatabase[Document]) -> None:
    """Records older than the hour in which a stale copy could come back go."""
    cutoff = int(time.time() * 1000) - REMEMBER_PUBLISHED_MS
    await db[PUBLISHED].delete_many({"at_ms": {"$lt": cutoff}})
