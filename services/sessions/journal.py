"""Service layer for the progress journal: private by default, shareable, streaks.

``journal_view_for`` (domain) decides what a reader sees: their own entries, plus
entries shared with a relationship they belong to. Nothing else ever leaves here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.sessions.domain import (
    JournalEntry,
    JournalKind,
    Relationship,
    entries_this_week,
    journal_streak_weeks,
    journal_view_for,
    make_journal_entry_private,
    record_journal_entry,
    share_journal_entry,
    weekly_entry_counts,
)
from services.sessions.mapping import from_doc, to_doc
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship, require_relationship_for
from services.sessions.store import JOURNAL, RELATIONSHIPS, SessionsStore
from shared.mongo import Document, NotFound

_KEEP = ("version", "pending_events", "outbox_pending")


def _doc(entry: JournalEntry, base: Document | None = None, **extra: Any) -> Document:
    doc = {**to_doc(entry), **extra}
    for key in _KEEP:
        if base is not None and key in base:
            doc[key] = base[key]
    return doc


async def write_journal_entry(
    store: SessionsStore,
    *,
    entry_id: str,
    relationship_id: str,
    person_id: str,
    kind: JournalKind,
    text: str,
    written_on: date | None,
    goal_id: str | None,
    shared: bool,
    now: datetime,
    source: str,
) -> Document:
    rel = load_relationship(await require_relationship_for(store, relationship_id, person_id))
    outcome = record_journal_entry(
        rel,
        entry_id=entry_id,
        author_id=person_id,
        kind=kind,
        text=text,
        written_on=written_on,
        goal_id=goal_id,
        shared=shared,
        now=now,
    )
    doc = _doc(outcome.state, program_id=rel.program_id)
    try:
        return await store.journal.insert(stage(doc, outcome.events, source=source))
    except DuplicateKeyError:
        return await store.journal.require(entry_id)


async def set_journal_sharing(
    store: SessionsStore, *, entry_id: str, person_id: str, shared: bool
) -> Document:
    """Only the author may (their entry is otherwise not even visible: 404)."""
    doc = await store.journal.get(entry_id)
    if doc is None or doc["author_id"] != person_id:
        raise NotFound(f"journal entry {entry_id}")
    entry = from_doc(JournalEntry, doc)
    change = share_journal_entry if shared else make_journal_entry_private
    new = _doc(change(entry, by=person_id), doc, program_id=doc.get("program_id"))
    return await store.journal.replace(new)


async def _relationships_of(store: SessionsStore, person_id: str) -> list[Relationship]:
    docs = await store.find_all(RELATIONSHIPS, {"member_ids": {"$in": [person_id]}})
    return [load_relationship(d) for d in docs]


async def journal_for(
    store: SessionsStore,
    *,
    person_id: str,
    relationship_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[JournalEntry], int]:
    """Entries ``person_id`` may read (own, plus shared ones of their relationships)."""
    rels = await _relationships_of(store, person_id)
    member_of = [r.id for r in rels]
    own = await store.find_all(JOURNAL, {"author_id": person_id})
    shared = await store.find_all(JOURNAL, {"relationship_id": {"$in": member_of}, "shared": True})
    entries = {d["_id"]: from_doc(JournalEntry, d) for d in [*own, *shared]}
    visible = journal_view_for(list(entries.values()), viewer_id=person_id, relationships=rels)
    if relationship_id is not None:
        visible = [e for e in visible if e.relationship_id == relationship_id]
    return visible[offset : offset + limit], len(visible)


async def journal_stats(
    store: SessionsStore, *, person_id: str, time_zone: str | None, now: datetime
) -> dict[str, Any]:
    """Streak (consecutive weeks), weekly counts and this week's count, for the author."""
    rels = await _relationships_of(store, person_id)
    zones = [m.time_zone for r in rels for m in r.members if m.person_id == person_id]
    tz = time_zone or (zones[0] if zones else "UTC")
    entries = [
        from_doc(JournalEntry, d) for d in await store.find_all(JOURNAL, {"author_id": person_id})
    ]
    return {
        "person_id": person_id,
        "time_zone": tz,
        "streak_weeks": journal_streak_weeks(entries, author_id=person_id, time_zone=tz, now=now),
        "this_week": entries_this_week(entries, author_id=person_id, time_zone=tz, now=now),
        "weekly_counts": weekly_entry_counts(entries, author_id=person_id),
    }


def journal_doc_read(doc: Document) -> dict[str, Any]:
    return journal_read(from_doc(JournalEntry, doc))


def journal_read(entry: JournalEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "author_id": entry.author_id,
        "relationship_id": entry.relationship_id,
        "kind": entry.kind,
        "written_on": entry.written_on,
        "text": entry.text,
        "shared": entry.shared,
        "goal_id": entry.goal_id,
        "created_at": entry.created_at,
    }
