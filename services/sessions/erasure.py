"""Right to erasure in sessions (``hr.person.erased``): delete the person's private
data, pseudonymise their id everywhere else.

Deleted: their time zone, journal entries, time logs, goals and action items they own, the
notes they wrote (private and shared), the text of their feedback and the private
notes of their closing survey and pulse checks, their flash offers (topic and note are
theirs) and their enrollments. Kept, with the id replaced by a pseudonym that cannot be
traced back: relationships, meetings, series, agenda rows, their feedback ratings, their
survey answers, their pulse ratings, the offers they booked and the program projection's
admin list, so program aggregates (people counted per cell, meetings held, ratings) stay
consistent. Events still waiting in an outbox are rewritten the same way; events
already published age out with the topics' retention. Idempotent: a second run finds
nothing left to change.
"""

from __future__ import annotations

from typing import Any

from services.sessions.store import (
    ACTION_ITEMS,
    AGENDA,
    FEEDBACK,
    GOALS,
    JOURNAL,
    MEETINGS,
    PEOPLE_ZONES,
    PROGRAMS,
    PULSES,
    RELATIONSHIPS,
    SERIES,
    SURVEYS,
    TIME_LOGS,
)
from services.sessions.store_flash import ENROLLMENTS, OFFERS
from services.sessions.unit_of_work import Work
from shared.logging import get_logger
from shared.mongo import Document
from shared.privacy import pseudonym

log = get_logger(__name__)

PENDING = "pending_events"
MAX_ATTEMPTS = 5


async def erase_person(uow: Work, person_id: str) -> dict[str, int]:
    """Erase ``person_id``; returns how many documents each step touched."""
    store = uow.store
    alias = pseudonym(person_id)
    counts: dict[str, int] = {}
    for collection, field in (
        (JOURNAL, "author_id"),
        (TIME_LOGS, "person_id"),
        (GOALS, "owner_id"),
        (ACTION_ITEMS, "owner_id"),
        (PEOPLE_ZONES, "_id"),
        (OFFERS, "host_id"),
        (ENROLLMENTS, "person_id"),
    ):
        counts[collection] = await store.delete_where(collection, field, person_id)

    # documents whose _id names the person: re-keyed under the pseudonym
    for collection, field, owner in (
        (FEEDBACK, "author_id", "meeting_id"),
        (AGENDA, "person_id", "meeting_id"),
        (SURVEYS, "person_id", "relationship_id"),
    ):
        docs = await store.naming(collection, field, person_id)
        rekeyed: list[tuple[str, Document]] = []
        for d in docs:
            new = pseudonymised(_redacted(collection, d, person_id), person_id, alias)
            new["_id"] = f"{d[owner]}:{alias}"  # each is keyed <owner>:<person>
            rekeyed.append((d["_id"], new))
        await store.rekey(collection, rekeyed)
        counts[collection] = len(docs)

    # documents that keep their _id: swap the id in place (a versioned document is
    # replaced on its version, so a concurrent API write is retried, never lost)
    for collection, field in (
        (RELATIONSHIPS, "member_ids"),
        (MEETINGS, "participant_ids"),
        (SERIES, "participant_ids"),
        (PROGRAMS, "admin_ids"),
        (PULSES, "person_id"),
        (OFFERS, "people_ids"),  # offers they booked as the guest
        (AGENDA, "participant_ids"),  # the other participants' rows name them too
    ):
        counts[collection] = 0
        for _ in range(MAX_ATTEMPTS):
            docs = await store.naming(collection, field, person_id)
            if not docs:
                break
            swaps = [
                pseudonymised(_redacted(collection, d, person_id), person_id, alias) for d in docs
            ]
            counts[collection] += await store.replace_over(collection, swaps)
    log.info("person_erased", alias=alias, **counts)
    return counts


def _redacted(collection: str, doc: Document, person_id: str) -> Document:
    """The document without the person's own text."""
    new = dict(doc)
    if collection == MEETINGS:
        for notes in ("shared_notes", "private_notes"):
            new[notes] = [n for n in doc.get(notes, []) if n.get("author_id") != person_id]
    elif collection == FEEDBACK:
        new["comment"] = ""
    elif collection == SURVEYS:
        new["private_note"] = ""
    elif collection == PULSES and doc.get("answer"):
        new["answer"] = {**doc["answer"], "note": ""}
    elif collection == RELATIONSHIPS and doc.get("ended_by") == person_id:
        new["end_comment"] = None
    return new


def pseudonymised(doc: Document, person_id: str, alias: str) -> Document:
    """Every exact occurrence of ``person_id`` (values, keys, list items) becomes ``alias``;
    staged events (kept as wire JSON) have the quoted id replaced."""
    quoted, replacement = f'"{person_id}"', f'"{alias}"'

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return alias if value == person_id else value
        if isinstance(value, list | tuple):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {swap(k): swap(v) for k, v in value.items()}
        return value

    new = {k: swap(v) for k, v in doc.items() if k != PENDING}
    if PENDING in doc:
        new[PENDING] = [
            {**e, "key": swap(e.get("key")), "value": e["value"].replace(quoted, replacement)}
            for e in doc[PENDING]
        ]
    return new
