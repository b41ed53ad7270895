"""The store's due-queue: part of ``store.NotificationsStore`` (a base class only to keep
each module short). The queue states and the writes that move items between them.

Leases: a claim is a compare-and-swap per document (``update_many`` is atomic per
document):

* a *fresh* item (``lease_owner`` null: never claimed, or released) is taken if it is
  still pending, due and free;
* an item whose lease ran out while still owned was *interrupted* (its worker died or
  stalled mid-pass): it is taken only if owner and lease are still the ones we read,
  and its ``interrupted`` count goes up by one. The queue item is the durable "a send
  may have started" marker, so the ledger needs no write before sending.

The release ends every lease of the pass in one ``bulk_write``: settled items are
deleted (one ``DeleteMany``), the rest go back pending with one ``UpdateMany`` per
outcome, the ones held for a digest with one ``UpdateOne`` each.

Planning writes a batch's withdrawals and new items in one ordered ``bulk_write``
(``plan_into_queue``), so that a later event's withdrawal still follows an earlier
event's insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import DeleteMany, UpdateMany, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from shared.mongo import Document

PENDING = "pending"
DONE = "done"
WITHDRAWN = "withdrawn"
SUPPRESSED = "suppressed"
DIGEST = "digest"
DIGESTED = "digested"
FAILED = "failed"

#: Candidates per claim round trip. The database serves one command at a time, so a
#: claim of a whole pass (2,500 compare-and-swaps) would hold every other dispatcher's
#: ledger writes, and with them its sends, until it is done; in steps they interleave.
CLAIM_STEP = 500

#: ``due_ms`` of an item that is not waiting (done, withdrawn, held...): never due. The
#: due-queue query is then a plain range on one indexed field, which every server uses.
NEVER_MS = 9_000_000_000_000_000


@dataclass(frozen=True)
class Withdraw:
    """Pending items of these streams are withdrawn."""

    streams: list[str]


@dataclass(frozen=True)
class Enqueue:
    """A new item, queued unless its key exists. A withdrawn one becomes pending again only
    when ``revives``: its plan came from a sequenced fact (a meeting moved there and back),
    never from an unsequenced one, which may be a replay of the fact that first queued it
    (a replayed ``match.proposed`` must not bring back the proposal its acceptance withdrew)."""

    doc: Document
    due_ms: int
    revives: bool = False


def release(
    item: Document, *, due_ms: int, channels: list[str] | None = None
) -> tuple[str, dict[str, Any]]:
    """The ``$set`` that hands ``item`` back, pending again at ``due_ms``: (id, fields)."""
    fields: dict[str, Any] = {
        "state": PENDING,
        "lease_ms": 0,
        "lease_owner": None,
        "due_ms": due_ms,
    }
    if channels is not None:
        fields["channels"] = channels
    return item["_id"], fields


def _claim_operations(
    candidates: Sequence[Document], *, now_ms: int, owner: str, until: int
) -> tuple[list[UpdateMany], dict[tuple[str, int, int], list[str]]]:
    """The compare-and-swap of a claim: fresh items in one ``UpdateMany``, taken-over
    ones grouped by the (owner, lease, interrupted count) they were read with."""
    fresh: list[str] = []
    takeovers: dict[tuple[str, int, int], list[str]] = {}
    for doc in candidates:
        if doc.get("lease_owner") is None:
            fresh.append(doc["_id"])
        else:
            stale = (doc["lease_owner"], doc["lease_ms"], doc.get("interrupted", 0))
            takeovers.setdefault(stale, []).append(doc["_id"])
    ops: list[UpdateMany] = []
    if fresh:
        ops.append(
            UpdateMany(
                {
                    "_id": {"$in": fresh},
                    "state": PENDING,
                    "due_ms": {"$lte": now_ms},
                    "lease_ms": {"$lte": now_ms},
                    "lease_owner": None,
                },
                {"$set": {"lease_ms": until, "lease_owner": owner}},
            )
        )
    for (stale_owner, stale_lease, interrupted), ids in takeovers.items():
        ops.append(
            UpdateMany(
                {
                    "_id": {"$in": ids},
                    "state": PENDING,
                    "lease_owner": stale_owner,
                    "lease_ms": stale_lease,
                },
                {
                    "$set": {
                        "lease_ms": until,
                        "lease_owner": owner,
                        "interrupted": interrupted + 1,
                    }
                },
            )
        )
    return ops, takeovers


class QueueQueries:
    queue: AsyncCollection[Document]

    async def due_candidates(self, *, now_ms: int, limit: int) -> list[Document]:
        """Pending items due at ``now`` whose lease (if any) has run out, earliest first."""
        return (
            await self.queue.find(
                {"due_ms": {"$lte": now_ms}, "state": PENDING, "lease_ms": {"$lte": now_ms}}
            )
            .sort("due_ms", 1)
            .limit(limit)
            .to_list()
        )

    async def held_for_digest(self, *, now_ms: int, limit: int) -> list[Document]:
        """Items held for a daily digest whose slot has come."""
        query = {"digest_ms": {"$lte": now_ms}, "state": DIGEST}
        return await self.queue.find(query).limit(limit).to_list()

    async def mark_digested(self, item_ids: Iterable[str]) -> None:
        """Held items now in a digest (unless something else moved them)."""
        await self.queue.bulk_write(
            [
                UpdateOne(
                    {"_id": i, "state": DIGEST},
                    {"$set": {"state": DIGESTED, "digest_ms": NEVER_MS}},
                )
                for i in item_ids
            ],
            ordered=False,
        )

    async def plan_into_queue(self, steps: Sequence[Withdraw | Enqueue]) -> int:
        """Apply withdrawals and new items in order (one round trip); how many were new."""
        ops: list[UpdateMany | UpdateOne] = []
        for step in steps:
            if isinstance(step, Withdraw):
                ops.append(
                    UpdateMany(
                        {"stream": {"$in": step.streams}, "state": PENDING},
                        {"$set": {"state": WITHDRAWN, "lease_owner": None, "due_ms": NEVER_MS}},
                    )
                )
                continue
            key = step.doc["_id"]
            doc = {k: v for k, v in step.doc.items() if k != "_id"}  # the upsert's filter has it
            ops.append(UpdateOne({"_id": key}, {"$setOnInsert": doc}, upsert=True))
            if step.revives:  # planned again after a withdrawal (moved there and back)
                ops.append(
                    UpdateOne(
                        {"_id": key, "state": WITHDRAWN},
                        {"$set": {"state": PENDING, "due_ms": step.due_ms}},
                    )
                )
        if not ops:
            return 0
        return int((await self.queue.bulk_write(ops, ordered=True)).upserted_count)

    async def claim(
        self,
        candidates: Sequence[Document],
        *,
        now_ms: int,
        owner: str,
        lease_ms: int,
    ) -> tuple[list[Document], set[str]]:
        """Lease each candidate to ``owner`` unless someone else took it first; returns the
        claimed items and the ids of those that were taken over from an interrupted pass."""
        if not candidates:
            return [], set()
        until = now_ms + lease_ms
        taken_over: set[str] = set()
        modified = 0
        for first in range(0, len(candidates), CLAIM_STEP):
            step = candidates[first : first + CLAIM_STEP]
            ops, takeovers = _claim_operations(step, now_ms=now_ms, owner=owner, until=until)
            modified += (await self.queue.bulk_write(ops, ordered=False)).modified_count
            taken_over |= {i for ids in takeovers.values() for i in ids}
        if modified == len(candidates):
            # Every compare-and-swap matched: the documents are as read, plus our lease.
            mine = [
                {**d, "lease_ms": until, "lease_owner": owner}
                | ({"interrupted": d.get("interrupted", 0) + 1} if d["_id"] in taken_over else {})
                for d in candidates
            ]
        else:
            mine = await self.queue.find(
                {"_id": {"$in": [d["_id"] for d in candidates]}, "lease_owner": owner}
            ).to_list()
        return mine, taken_over & {d["_id"] for d in mine}

    async def release_all(
        self,
        *,
        owner: str,
        settled: Sequence[str] = (),
        returned: Iterable[tuple[str, dict[str, Any]]] = (),
        held: Mapping[str, int] | None = None,
    ) -> None:
        """End the pass's leases (only where ``owner`` still holds them): ``settled`` items
        are deleted (the ledger is their record, and the planner consults it before
        queueing a key again), ``returned`` ones updated, grouped by identical ``$set``,
        ``held`` ones (id: digest time) wait for their digest."""
        groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
        for item_id, fields in returned:
            key = repr(sorted(fields.items()))
            groups.setdefault(key, (fields, []))[1].append(item_id)
        ops: list[DeleteMany | UpdateMany | UpdateOne] = [
            UpdateMany({"_id": {"$in": ids}, "lease_owner": owner}, {"$set": fields})
            for fields, ids in groups.values()
        ]
        ops += [
            UpdateOne(
                {"_id": item_id, "lease_owner": owner},
                {
                    "$set": {
                        "state": DIGEST,
                        "digest_ms": digest_ms,
                        "due_ms": NEVER_MS,
                        "lease_ms": 0,
                        "lease_owner": None,
                    }
                },
            )
            for item_id, digest_ms in (held or {}).items()
        ]
        if settled:
            ops.append(DeleteMany({"_id": {"$in": list(settled)}, "lease_owner": owner}))
        if ops:
            await self.queue.bulk_write(ops, ordered=False)
