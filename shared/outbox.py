"""Transactional outbox without multi-document transactions.

A state change and the events announcing it are saved in one document write: the
events ride on the aggregate in ``pending_events`` (with ``outbox_pending: true``).
The relay publishes them (``acks=all``) and only then removes them. A crash between
the save and the publish loses nothing: the next relay pass publishes. A crash
between publish and removal publishes again; consumers de-duplicate on the
envelope id, so the effect stays exactly once. Several relays (the API's and the
worker's) share the collections: a relay leases a collection for one pass before it reads
a batch of its flagged documents and holds the lease until they are cleared, so two relays
never publish the same events. Per event, a pass writes once (the clearing): the lease and
the record of what it published (``shared.outbox_published``) are one write a pass.

Audit entries of an administrative change ride the same way (``pending_audit``): the
relay inserts them into the audit log (by their own ids, so twice is once) before it
clears them.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Sequence
from typing import Any

from pymongo import UpdateMany
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, PyMongoError

from shared.audit import COLLECTION as AUDIT_LOG
from shared.kafka.producer import EventProducer, OutgoingMessage
from shared.logging import get_logger
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_EVENTS, OUTBOX_PUBLISHED
from shared.mongo import Document, IndexSpec, duplicate_keys_only
from shared.outbox_leases import LEASES, take_leases
from shared.outbox_published import (
    already_published,
    forget_old_publications,
    published_indexes,
    remember_published,
)
from shared.outbox_staging import FLAG, PENDING, PENDING_AUDIT
from shared.tracing import publishing

log = get_logger(__name__)

FORGET_EVERY_S = 600.0
#: How soon a relay that found a collection leased to another relay looks again (the
#: other relay's pass may have read its batch just before this relay's nudge).
CONTENDED_RETRY_S = 0.05
#: What a pass reads of a document: its events and what clearing them checks, not the
#: state they announce (a match's explanation was most of the bytes the relay read).
RELAYED_FIELDS = {PENDING: 1, PENDING_AUDIT: 1, "version": 1}


def _event_type(entry: Document) -> str:
    """The envelope's ``type``, for the per-type counter (delivery outcomes)."""
    try:
        return str(json.loads(entry["value"])["type"])
    except (ValueError, KeyError, TypeError):
        return "unknown"


def outbox_indexes(collections: Sequence[str]) -> list[IndexSpec]:
    """The relay looks documents up by the flag alone (few are ever flagged), its leases
    by owner when it releases them, and what it published by fingerprint and age."""
    flags = [IndexSpec(name, [(FLAG, 1)], name=FLAG) for name in collections]
    relay = [IndexSpec(LEASES, [("owner", 1)]), *published_indexes()]
    return [*flags, *relay] if collections else flags


class OutboxRelay:
    """Publishes and clears pending events of the given collections, in a loop."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        collections: Sequence[str],
        producer: EventProducer,
        *,
        service: str,
        poll_interval_s: float = 0.2,
        batch_size: int = 500,
        max_events: int = 5_000,
    ) -> None:
        self.db = db
        self.collections = list(collections)
        self.producer = producer
        self.service = service
        self.poll_interval_s = poll_interval_s
        self.batch_size = batch_size
        #: Events per collection per pass, at least one document's (see ``_pending``).
        self.max_events = max_events
        self.owner = uuid.uuid4().hex
        self._wake = asyncio.Event()
        #: Set by a pass that found a collection with pending events leased to another relay.
        self.contended = False

    def nudge(self) -> None:
        """Ask for a pass now (after a write) instead of at the next poll."""
        self._wake.set()

    async def relay_once(self) -> int:
        """One pass over every collection, side by side (a pass costs the slowest
        collection's round trips, not their sum); returns how many events were published."""
        self.contended = False
        counts = await asyncio.gather(
            *(self._relay_collection(n) for n in self.collections), return_exceptions=True
        )
        for count in counts:
            if isinstance(count, BaseException):
                raise count
        return sum(c for c in counts if isinstance(c, int))

    async def _relay_collection(self, name: str) -> int:
        collection = self.db[name]
        token = f"{self.owner}:{uuid.uuid4().hex}"
        docs = await self._claim(collection, token)
        OUTBOX_BACKLOG.labels(self.service, name).set(len(docs))
        if not docs:
            return 0
        try:
            entries = [entry for doc in docs for entry in doc.get(PENDING, [])]
            fresh = await self._not_published_yet(entries)
            messages = [
                OutgoingMessage(
                    topic=entry["topic"],
                    key=entry["key"],
                    value=entry["value"].encode(),
                    headers=[("content-type", b"application/cloudevents+json")],
                )
                for entry in fresh
            ]
            with publishing(fresh):
                await self.producer.publish_many(messages)
            await remember_published(self.db, token, [entry["id"] for entry in fresh])
            await self._record_audit(
                [entry for doc in docs for entry in doc.get(PENDING_AUDIT, [])]
            )
            await self._clear_all(collection, docs)
        finally:
            await self.release(token)
        OUTBOX_PUBLISHED.labels(self.service, name).inc(len(messages))
        for entry in fresh:
            OUTBOX_EVENTS.labels(self.service, entry["topic"], _event_type(entry)).inc()
        return len(messages)

    async def _not_published_yet(self, entries: list[Document]) -> list[Document]:
        """The entries to publish: each id once, none a relay published before."""
        unique = list({entry["id"]: entry for entry in entries}.values())
        done = await already_published(self.db, [e["id"] for e in unique])
        return [e for e in unique if e["id"] not in done]

    async def forget_old_publications(self) -> None:
        await forget_old_publications(self.db)

    async def release(self, token: str) -> None:
        """Give back the leases of one pass (after clearing, or when the pass failed)."""
        await self.db[LEASES].delete_many({"owner": token})

    async def _claim(self, collection: Any, token: str | None = None) -> list[Document]:
        """Lease ``collection`` to this pass if it has pending events, then read a batch of
        them (the lookup is on the flag alone: one single-field index; only
        ``RELAYED_FIELDS`` are read). An idle collection
        costs one read and no write; a lease held by another relay, one more read."""
        token = token or f"{self.owner}:{uuid.uuid4().hex}"
        if await collection.find_one({FLAG: True}, {"_id": 1}) is None:
            return []
        if not await take_leases(self.db[LEASES], [f"{collection.name}/*"], token):
            self.contended = True
            return []
        docs = await self._pending(collection)
        if not docs:  # cleared between the look and the lease
            await self.release(token)
        return docs

    async def _pending(self, collection: Any) -> list[Document]:
        """Up to ``batch_size`` flagged documents, read until they hold ``max_events``
        events: a bulk enrollment's report carries a thousand, and a backlog of them in
        one pass (after an outage) could outlast the lease, and a second relay would
        publish the same events again. The documents left wait for the next pass."""
        docs: list[Document] = []
        events = 0
        cursor = collection.find({FLAG: True}, RELAYED_FIELDS).limit(self.batch_size)
        try:
            async for doc in cursor:
                docs.append(doc)
                events += len(doc.get(PENDING, [])) + len(doc.get(PENDING_AUDIT, []))
                if events >= self.max_events:
                    break
        finally:
            await cursor.close()
        return docs

    async def _record_audit(self, entries: list[Document]) -> None:
        if not entries:
            return
        try:
            await self.db[AUDIT_LOG].insert_many(entries, ordered=False)
        except BulkWriteError as exc:  # written by an earlier pass that crashed before clearing
            if not duplicate_keys_only(exc):
                raise

    async def _clear_all(self, collection: Any, docs: list[Document]) -> None:
        """One bulk write clears every document nobody changed since the claim, one
        update per version the documents were read at (a batch of new documents is
        cleared in one update, not one each); the few that changed meanwhile (new events
        staged) are cleared one by one."""
        by_version: dict[Any, list[Any]] = {}
        for doc in docs:
            by_version.setdefault(doc.get("version"), []).append(doc["_id"])
        result = await collection.bulk_write(
            [
                UpdateMany(
                    {"_id": {"$in": ids}, "version": version},
                    {"$set": {PENDING: [], PENDING_AUDIT: [], FLAG: False}},
                )
                for version, ids in by_version.items()
            ],
            ordered=False,
        )
        if result.matched_count == len(docs):
            return
        published = {
            d["_id"]: {e["id"] for e in d.get(PENDING, [])}
            | {e["_id"] for e in d.get(PENDING_AUDIT, [])}
            for d in docs
        }
        changed = await collection.find({"_id": {"$in": list(published)}, FLAG: True}).to_list()
        for doc in changed:
            await self._clear(collection, doc, published[doc["_id"]])

    async def _clear(self, collection: Any, doc: Document, published: set[str]) -> None:
        """Remove what was published, keeping events staged since we read the document."""
        while True:
            remaining = [e for e in doc.get(PENDING, []) if e["id"] not in published]
            audit = [e for e in doc.get(PENDING_AUDIT, []) if e["_id"] not in published]
            result = await collection.update_one(
                {"_id": doc["_id"], "version": doc.get("version")},
                {
                    "$set": {
                        PENDING: remaining,
                        PENDING_AUDIT: audit,
                        FLAG: bool(remaining or audit),
                    }
                },
            )
            if result.matched_count:
                return
            fresh = await collection.find_one({"_id": doc["_id"]})
            if fresh is None:
                return
            doc = fresh

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set; database or broker trouble is retried, never fatal.

        Nudges coalesce: any number of them during a pass make one more pass right after
        it (the wake flag is cleared when a pass starts, not when it ends, so a commit that
        lands mid-pass is never left waiting for the poll interval)."""
        backoff = self.poll_interval_s
        forgot_at = 0.0
        while not stop.is_set():
            self._wake.clear()
            try:
                if time.monotonic() - forgot_at > FORGET_EVERY_S:
                    await self.forget_old_publications()
                    forgot_at = time.monotonic()
                published = await self.relay_once()
                backoff = self.poll_interval_s
            except (PyMongoError, Exception) as exc:
                log.warning("outbox_relay_failed", error=repr(exc))
                published, backoff = 0, min(backoff * 2, 5.0)
            if published or self._wake.is_set():
                continue
            timeout = min(backoff, CONTENDED_RETRY_S) if self.contended else backoff
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
