"""Agenda, shared notes and private notes of a meeting, and the per-viewer view.

Private notes are visible to their author only. The API must answer with
`view_meeting_for(meeting, viewer_id)`, never with the raw `Meeting`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from shared.local_time import require_utc

from .errors import IllegalTransition, InvalidInput, NotAMember
from .meetings import AgendaItem, Meeting, MeetingStatus, Note

__all__ = [
    "MeetingView",
    "add_agenda_item",
    "mark_agenda_item_done",
    "add_shared_note",
    "add_private_note",
    "view_meeting_for",
]

MAX_TEXT_LENGTH = 10_000


@dataclass(frozen=True)
class MeetingView:
    """What one participant may see: everything except other people's private notes."""

    viewer_id: str
    meeting: Meeting
    my_private_notes: tuple[Note, ...]


def _require_open(meeting: Meeting, what: str) -> None:
    if meeting.status is MeetingStatus.CANCELLED:
        raise IllegalTransition(f"cannot add {what} to a cancelled meeting")


def _require_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("text must not be empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput(f"text is limited to {MAX_TEXT_LENGTH} characters")
    return text


def add_agenda_item(meeting: Meeting, *, item_id: str, author_id: str, text: str) -> Meeting:
    """Add an agenda item; any participant may, unless the meeting was cancelled."""
    meeting.require_participant(author_id)
    _require_open(meeting, "an agenda item")
    item = AgendaItem(id=item_id, author_id=author_id, text=_require_text(text))
    return replace(meeting, agenda=(*meeting.agenda, item))


def mark_agenda_item_done(meeting: Meeting, *, item_id: str, by: str) -> Meeting:
    """Tick off an agenda item."""
    meeting.require_participant(by)
    if all(item.id != item_id for item in meeting.agenda):
        raise InvalidInput(f"agenda item {item_id} does not exist")
    agenda = tuple(replace(i, done=True) if i.id == item_id else i for i in meeting.agenda)
    return replace(meeting, agenda=agenda)


def add_shared_note(
    meeting: Meeting, *, note_id: str, author_id: str, text: str, now: datetime
) -> Meeting:
    """Add a note every participant can read."""
    note = _note(meeting, note_id, author_id, text, now)
    return replace(meeting, shared_notes=(*meeting.shared_notes, note))


def add_private_note(
    meeting: Meeting, *, note_id: str, author_id: str, text: str, now: datetime
) -> Meeting:
    """Add a note only its author can read."""
    note = _note(meeting, note_id, author_id, text, now)
    return replace(meeting, private_notes=(*meeting.private_notes, note))


def _note(meeting: Meeting, note_id: str, author_id: str, text: str, now: datetime) -> Note:
    """A participant's note on a meeting that still takes notes."""
    meeting.require_participant(author_id)
    _require_open(meeting, "notes")
    return Note(note_id, author_id, _require_text(text), require_utc(now, "now"))


def view_meeting_for(meeting: Meeting, viewer_id: str) -> MeetingView:
    """The meeting as `viewer_id` may see it; others' private notes are stripped.

    The returned `meeting` has `private_notes` limited to the viewer's own, so
    serialising it whole is safe. Non-participants get `NotAMember`.
    """
    if viewer_id not in meeting.participant_ids:
        raise NotAMember(f"person {viewer_id} is not a participant of meeting {meeting.id}")
    own = tuple(n for n in meeting.private_notes if n.author_id == viewer_id)
    return MeetingView(viewer_id, replace(meeting, private_notes=own), own)
