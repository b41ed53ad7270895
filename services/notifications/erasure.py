"""Right to erasure in the notifier: delete a person's data, pseudonymise the ledger.

On ``hr.person.erased``: the contact, the preferences (with their webhook addresses),
the inbox, the person's journal and admin-digest schedules and every due-queue item
addressed to the person are deleted, and they leave the relationships' member lists.
The delivery ledger keeps its entries, so delivery counts stay right, but the person's
id in them (and in the events still staged on them) becomes a pseudonym that cannot be
traced back through this service. Where the person is only named as somebody else's
counterpart (another member's queued reminder, a match's members), the id is replaced
by the same pseudonym; rendering shows no name for an unknown id. A tombstone keyed by
the pseudonym (never the id) makes the planner drop anything later planned for them.
Already published events age out with the topics' retention.

Idempotent: a replayed erasure finds nothing left to change.
"""

from __future__ import annotations

import json
from typing import Any

from services.notifications.store import (
    CONTACTS,
    DELIVERIES,
    DIGEST_SCHEDULES,
    ERASED,
    INBOX,
    JOURNAL_SCHEDULES,
    MATCH_MEMBERS,
    PREFERENCES,
    QUEUE,
    RELATIONSHIPS,
    NotificationsStore,
)
from shared.logging import get_logger
from shared.mongo import Document
from shared.outbox import PENDING
from shared.privacy import pseudonym

log = get_logger(__name__)

#: Where another person's queued item may name the erased person (``$in`` matches an
#: array element or a plain value alike).
_QUEUE_MENTIONS = ("extra.member_ids", "extra.organiser_id", "payload.counterpart_ids")


async def erase_person(store: NotificationsStore, person_id: str) -> None:
    db = store.db
    alias = pseudonym(person_id)
    await db[ERASED].replace_one({"_id": alias}, {"_id": alias}, upsert=True)
    await db[CONTACTS].delete_one({"_id": person_id})
    await db[PREFERENCES].delete_one({"_id": person_id})
    await db[INBOX].delete_many({"recipient_id": person_id})
    await db[QUEUE].delete_many({"recipient_id": person_id})
    await db[JOURNAL_SCHEDULES].delete_one({"_id": person_id})
    await db[DIGEST_SCHEDULES].delete_many({"admin_id": person_id})
    await db[RELATIONSHIPS].update_many(
        {"member_ids": {"$in": [person_id]}}, {"$pull": {"member_ids": person_id}}
    )
    ledger = await db[DELIVERIES].find({"recipient_id": person_id}).to_list()
    for doc in ledger:
        await _replace_versioned(store, doc, person_id, alias)
    mentions: dict[str, Document] = {}
    for field in _QUEUE_MENTIONS:
        for doc in await db[QUEUE].find({field: {"$in": [person_id]}}).to_list():
            mentions[doc["_id"]] = doc
    for doc in mentions.values():
        await db[QUEUE].replace_one({"_id": doc["_id"]}, pseudonymised(doc, person_id, alias))
    for doc in await db[MATCH_MEMBERS].find({"member_ids": {"$in": [person_id]}}).to_list():
        await db[MATCH_MEMBERS].replace_one(
            {"_id": doc["_id"]}, pseudonymised(doc, person_id, alias)
        )
    log.info("person_erased", pseudonym=alias, ledger_entries=len(ledger), mentions=len(mentions))


async def is_erased(store: NotificationsStore, person_ids: list[str]) -> set[str]:
    """Which of ``person_ids`` were erased (looked up by pseudonym)."""
    if not person_ids:
        return set()
    aliases = {pseudonym(p): p for p in person_ids}
    found = await store.db[ERASED].find({"_id": {"$in": list(aliases)}}).to_list()
    return {aliases[d["_id"]] for d in found}


async def _replace_versioned(
    store: NotificationsStore, doc: Document, person_id: str, alias: str
) -> None:
    """A ledger entry changes only through its version (a dispatcher may hold it): on a
    conflict reload and pseudonymise the newer one."""
    for _ in range(10):
        new = pseudonymised(doc, person_id, alias)
        new["version"] = doc.get("version", 0) + 1
        done = await store.deliveries.replace_one(
            {"_id": doc["_id"], "version": doc.get("version")}, new
        )
        if done.matched_count:
            return
        reloaded = await store.deliveries.find_one({"_id": doc["_id"]})
        if reloaded is None:
            return
        doc = reloaded
    raise RuntimeError(f"ledger entry {doc['_id']} kept changing during erasure")


def pseudonymised(doc: Document, person_id: str, alias: str) -> Document:
    """``doc`` with every string equal to ``person_id`` replaced by ``alias``, also inside
    the events staged on it (exact JSON strings only)."""
    new: Document = _swap(doc, person_id, alias)
    if PENDING in doc:
        quoted = json.dumps(person_id, ensure_ascii=False)
        replacement = json.dumps(alias, ensure_ascii=False)
        new[PENDING] = [
            {**e, "value": e["value"].replace(quoted, replacement)} for e in new[PENDING]
        ]
    return new


def scrub(doc: Document, erased: set[str] | frozenset[str]) -> Document:
    """``doc`` naming none of the ``erased`` people (each replaced by their pseudonym)."""
    for person_id in erased:
        doc = pseudonymised(doc, person_id, pseudonym(person_id))
    return doc


def _swap(value: Any, person_id: str, alias: str) -> Any:
    if isinstance(value, str):
        return alias if value == person_id else value
    if isinstance(value, dict):
        return {_swap(k, person_id, alias): _swap(v, person_id, alias) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_swap(v, person_id, alias) for v in value]
    return value
