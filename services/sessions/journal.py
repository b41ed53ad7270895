"""Service layer for the progress journal: private by default, shareable, streaks.

``journal_view_for`` (domain) decides what a reader sees: their own entries, plus
entries shared with a relationship they belong to. Nothing else ever leaves here.
"""

from __future__ import annotations

from typing import Any

from services.sessions.deps import (
    caller_of,
    check_references,
    members_relationship,
    participants_meeting,
)
from services.sessions.domain.journal import (
    JournalEntry,
    JournalKind,
    journal_stats,
    journal_view_for,
    make_journal_entry_private,
    record_journal_entry,
    share_journal_entry,
)
from services.sessions.domain.relationships import Relationship
from services.sessions.mapping import from_doc, stored
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship
from services.sessions.store import PEOPLE_ZONES
from services.sessions.unit_of_work import Work
from shared.mongo import Document, NotFound


async def write(uow: Work, *, entry_id: str, relationship_id: str, **entry: Any) -> Document:
    """A small win, setback or learning; private unless ``shared``: ``entry`` holds what
    ``record_journal_entry`` takes (kind, text, written_on, shared, and the goal it is
    about, which must be of the same relationship)."""
    rel = load_relationship(await members_relationship(uow, relationship_id))
    await check_references(uow, relationship_id, goal_id=entry.get("goal_id"))
    author_id = caller_of(uow).subject
    outcome = record_journal_entry(
        rel, entry_id=entry_id, author_id=author_id, now=uow.now, **entry
    )
    doc = stored(outcome.state, program_id=rel.program_id)
    staged = stage(uow, doc, outcome.events)
    saved, _ = await uow.store.insert_new(uow.store.journal, staged)
    return saved


#: The text of a small win logged with one click in chat: what happened stays out of
#: the chat tool and the event; the person writes it in the journal.
SMALL_WIN_FROM_CHAT = "A small win from chat: add what happened."


async def log_small_win(uow: Work, *, entry_id: str, meeting_id: str) -> Document:
    """A private small win about a meeting the caller took part in (else 404), in that
    meeting's relationship; a repeated ``entry_id`` returns the first."""
    meeting = await participants_meeting(uow, meeting_id)
    return await write(
        uow,
        entry_id=entry_id,
        relationship_id=meeting["relationship_id"],
        kind=JournalKind.SMALL_WIN,
        text=SMALL_WIN_FROM_CHAT,
    )


async def set_sharing(uow: Work, *, entry_id: str, shared: bool) -> Document:
    """Only the author may (their entry is otherwise not even visible: 404)."""
    author_id = caller_of(uow).subject
    doc = await uow.store.journal.get(entry_id)
    if doc is None or doc["author_id"] != author_id:
        raise NotFound(f"journal entry {entry_id}")
    entry = from_doc(JournalEntry, doc)
    change = share_journal_entry if shared else make_journal_entry_private
    new = stored(change(entry, by=author_id), doc, program_id=doc.get("program_id"))
    return await uow.store.journal.replace(new)


async def _relationships_of(uow: Work, person_id: str) -> list[Relationship]:
    return [load_relationship(d) for d in await uow.store.relationships_of(person_id)]


async def page(
    uow: Work, *, relationship_id: str | None, limit: int, offset: int
) -> tuple[list[JournalEntry], int]:
    """The caller's entries and entries shared with their relationships, newest first."""
    person_id = caller_of(uow).subject
    rels = await _relationships_of(uow, person_id)
    own = await uow.store.journal_of(person_id)
    shared = await uow.store.journal_shared_in([r.id for r in rels])
    entries = {d["_id"]: from_doc(JournalEntry, d) for d in [*own, *shared]}
    visible = journal_view_for(list(entries.values()), viewer_id=person_id, relationships=rels)
    if relationship_id is not None:
        visible = [e for e in visible if e.relationship_id == relationship_id]
    return visible[offset : offset + limit], len(visible)


async def stats(uow: Work, *, time_zone: str | None) -> dict[str, Any]:
    """Streak (consecutive weeks), weekly counts and this week's count, for the author,
    in ``time_zone`` if given, else their own (from HR), else UTC."""
    person_id, now = caller_of(uow).subject, uow.now
    known = await uow.store.by_id(PEOPLE_ZONES, [person_id])
    tz = time_zone or known.get(person_id, {}).get("time_zone", "UTC")
    entries = [from_doc(JournalEntry, d) for d in await uow.store.journal_of(person_id)]
    rhythm = journal_stats(entries, author_id=person_id, time_zone=tz, now=now)
    return {"person_id": person_id, "time_zone": tz, **rhythm}


def journal_doc_read(doc: Document) -> JournalEntry:
    """The entry of a stored document (the API answers with its fields)."""
    return from_doc(JournalEntry, doc)
