"""A meeting's agenda and notes: no event announces them (their text never leaves the
service), so they are saved without touching the outbox or health."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from services.sessions.deps import caller_of, participants_meeting
from services.sessions.domain.meeting_content import (
    add_agenda_item,
    add_private_note,
    add_shared_note,
    mark_agenda_item_done,
)
from services.sessions.domain.meetings import Meeting
from services.sessions.mapping import stored
from services.sessions.meetings import load_meeting
from services.sessions.unit_of_work import Work
from shared.mongo import Document


async def _edit(uow: Work, meeting_id: str, edit: Callable[[Meeting], Meeting]) -> Document:
    doc = await participants_meeting(uow, meeting_id)
    return await uow.store.meetings.replace(stored(edit(load_meeting(doc)), doc))


async def add_item(uow: Work, *, meeting_id: str, text: str) -> Document:
    """A new agenda item by the caller."""
    item_id, author_id = str(uuid.uuid4()), caller_of(uow).subject
    return await _edit(
        uow,
        meeting_id,
        lambda m: add_agenda_item(m, item_id=item_id, author_id=author_id, text=text),
    )


async def tick_item(uow: Work, *, meeting_id: str, item_id: str) -> Document:
    by = caller_of(uow).subject
    return await _edit(uow, meeting_id, lambda m: mark_agenda_item_done(m, item_id=item_id, by=by))


async def add_note(uow: Work, *, meeting_id: str, text: str, private: bool) -> Document:
    """A shared note, or (``private``) one only the caller will ever see."""
    note_id, author_id, now = str(uuid.uuid4()), caller_of(uow).subject, uow.now
    add = add_private_note if private else add_shared_note
    return await _edit(
        uow,
        meeting_id,
        lambda m: add(m, note_id=note_id, author_id=author_id, text=text, now=now),
    )
