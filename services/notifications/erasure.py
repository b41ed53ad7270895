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

from services.notifications.store import NotificationsStore
from services.notifications.unit_of_work import Work
from shared.logging import get_logger
from shared.mongo import Document
from shared.outbox_staging import PENDING
from shared.privacy import pseudonym

log = get_logger(__name__)

#: Where another person's queued item may name the erased person (``$in`` matches an
#: array element or a plain value alike).
_QUEUE_MENTIONS = ("extra.member_ids", "extra.organiser_id", "payload.counterpart_ids")


async def erase_person(uow: Work, person_id: str) -> None:
    """Delete the person's data, pseudonymise the ledger and every mention (module doc)."""
    store = uow.store
    alias = pseudonym(person_id)
    await store.delete_person(person_id, alias=alias)
    ledger = await store.ledger_of(person_id)
    for doc in ledger:
        await _replace_versioned(store, doc, person_id, alias)
    mentions = await store.queue_items_mentioning(person_id, _QUEUE_MENTIONS)
    await store.replace_queue_items([pseudonymised(d, person_id, alias) for d in mentions])
    matches = await store.matches_with_member(person_id)
    await store.replace_match_members([pseudonymised(d, person_id, alias) for d in matches])
    log.info("person_erased", pseudonym=alias, ledger_entries=len(ledger), mentions=len(mentions))


async def is_erased(store: NotificationsStore, person_ids: list[str]) -> set[str]:
    """Which of ``person_ids`` were erased (looked up by pseudonym)."""
    if not person_ids:
        return set()
    aliases = {pseudonym(p): p for p in person_ids}
    return {aliases[a] for a in await store.erased_among(aliases)}


async def _replace_versioned(
    store: NotificationsStore, doc: Document, person_id: str, alias: str
) -> None:
    """A ledger entry changes only through its version (a dispatcher may hold it): on a
    conflict reload and pseudonymise the newer one."""
    for _ in range(10):
        new = pseudonymised(doc, person_id, alias)
        new["version"] = doc.get("version", 0) + 1
        if await store.replace_ledger_entry(new, version=doc.get("version")):
            return
        reloaded = await store.ledger_entry(doc["_id"])
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
