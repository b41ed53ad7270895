"""Leases on due-queue items: claim a batch, release it, in one round trip each.

A claim is a compare-and-swap per document (``update_many`` is atomic per document):

* a *fresh* item (``lease_owner`` null: never claimed, or released) is taken if it is
  still pending, due and free;
* an item whose lease ran out while still owned was *interrupted* (its worker died or
  stalled mid-pass): it is taken only if owner and lease are still the ones we read,
  and its ``interrupted`` count goes up by one. The queue item is the durable "a send
  may have started" marker, so the ledger needs no write before sending.

The release ends every lease of the pass in one ``bulk_write``: settled items are
deleted (one ``DeleteMany``), the rest go back pending with one ``UpdateMany`` per
outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pymongo import DeleteMany, UpdateMany, UpdateOne

from services.notifications.mapping import PENDING
from services.notifications.store import NotificationsStore
from shared.mongo import Document


async def claim_due(
    store: NotificationsStore,
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
                {"$set": {"lease_ms": until, "lease_owner": owner, "interrupted": interrupted + 1}},
            )
        )
    claimed = await store.write_queue(ops, ordered=False)
    taken_over = {i for ids in takeovers.values() for i in ids}
    if claimed.modified_count == len(candidates):
        # Every compare-and-swap matched: the documents are as read, plus our lease.
        mine = [
            {**d, "lease_ms": until, "lease_owner": owner}
            | ({"interrupted": d.get("interrupted", 0) + 1} if d["_id"] in taken_over else {})
            for d in candidates
        ]
    else:
        mine = await store.leased_to(owner, [d["_id"] for d in candidates])
    return mine, taken_over & {d["_id"] for d in mine}


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


async def release_all(
    store: NotificationsStore,
    *,
    owner: str,
    settled: Sequence[str] = (),
    returned: Iterable[tuple[str, dict[str, Any]]] = (),
    extra: Sequence[UpdateOne] = (),
) -> None:
    """End the pass's leases (only where ``owner`` still holds them): ``settled`` items
    are deleted (the ledger is their record, and the planner consults it before
    queueing a key again), ``returned`` ones updated, grouped by identical ``$set``."""
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for item_id, fields in returned:
        key = repr(sorted(fields.items()))
        groups.setdefault(key, (fields, []))[1].append(item_id)
    ops: list[DeleteMany | UpdateMany | UpdateOne] = [
        UpdateMany({"_id": {"$in": ids}, "lease_owner": owner}, {"$set": fields})
        for fields, ids in groups.values()
    ]
    ops += extra
    if settled:
        ops.append(DeleteMany({"_id": {"$in": list(settled)}, "lease_owner": owner}))
    if ops:
        await store.write_queue(ops, ordered=False)
