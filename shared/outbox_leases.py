"""Leases of the outbox relays: which relay may publish a document's events right now.

A lease is a document ``<collection>/<id>`` in ``outbox_leases``, never a field of the
leased document: a writer saves its document whole, and a lease stored on it would be
lost with that save (a second relay then published the same events again). A free lease
is inserted, a lapsed one taken over by compare-and-swap, so two relays never share a
document; a relay gives its leases back when its pass is done.
"""

from __future__ import annotations

import time
from typing import Any

from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from shared.mongo import Document, duplicate_keys_only

LEASES = "outbox_leases"
LEASE_MS = 15_000


async def take_leases(leases: AsyncCollection[Document], keys: list[str], owner: str) -> list[str]:
    """The keys ``owner`` holds now: the free ones and the lapsed ones it could take.
    Two round trips when no other relay competed (read, take), three when one did."""
    now_ms = int(time.time() * 1000)
    held = {e["_id"]: e for e in await leases.find({"_id": {"$in": keys}}).to_list()}
    mine = {"owner": owner, "expires_ms": now_ms + LEASE_MS}
    wanted = [key for key in keys if key not in held or held[key]["expires_ms"] < now_ms]
    takes: list[Any] = [
        InsertOne({"_id": key, **mine})
        if key not in held
        else UpdateOne(
            {"_id": key, "owner": held[key]["owner"], "expires_ms": held[key]["expires_ms"]},
            {"$set": mine},
        )
        for key in wanted
    ]
    if not takes:
        return []
    try:
        result = await leases.bulk_write(takes, ordered=False)
        if result.inserted_count + result.modified_count == len(takes):
            return wanted  # every take won: nothing to read back
    except BulkWriteError as exc:  # another relay inserted some of them first
        if not duplicate_keys_only(exc):
            raise
    taken = await leases.find({"_id": {"$in": keys}, "owner": owner}).to_list()
    return [t["_id"] for t in taken]
