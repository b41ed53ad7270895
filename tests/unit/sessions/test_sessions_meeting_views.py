from __future__ import annotations

from datetime import timedelta

import pytest

from services.sessions.domain.errors import IllegalTransition, NotAMember
from services.sessions.domain.meeting_content import (
    add_agenda_item,
    add_private_note,
    add_shared_note,
    mark_agenda_item_done,
    view_meeting_for,
)
from services.sessions.domain.meetings import Meeting, cancel_meeting

from .builders import NOW


def _with_notes(meeting: Meeting) -> Meeting:
    meeting = add_shared_note(
        meeting, note_id="n-shared", author_id="p-mentor", text="We agreed on X", now=NOW
    )
    meeting = add_private_note(
        meeting, note_id="n-mentor", author_id="p-mentor", text="MENTOR-SECRET", now=NOW
    )
    return add_private_note(
        meeting, note_id="n-mentee", author_id="p-mentee", text="MENTEE-SECRET", now=NOW
    )


def test_private_notes_never_appear_in_another_members_view(meeting: Meeting) -> None:
    full = _with_notes(meeting)
    mentee_view = view_meeting_for(full, "p-mentee")
    assert "MENTOR-SECRET" not in repr(mentee_view)
    assert [n.id for n in mentee_view.my_private_notes] == ["n-mentee"]
    assert [n.id for n in mentee_view.meeting.private_notes] == ["n-mentee"]
    mentor_view = view_meeting_for(full, "p-mentor")
    assert "MENTEE-SECRET" not in repr(mentor_view)


def test_shared_notes_are_visible_to_every_participant(meeting: Meeting) -> None:
    full = _with_notes(meeting)
    for viewer in ("p-mentor", "p-mentee"):
        assert [n.text for n in view_meeting_for(full, viewer).meeting.shared_notes] == [
            "We agreed on X"
        ]


def test_outsiders_get_no_view_of_a_meeting(meeting: Meeting) -> None:
    with pytest.raises(NotAMember):
        view_meeting_for(_with_notes(meeting), "hr-analyst")


def test_agenda_items_can_be_added_and_ticked_off(meeting: Meeting) -> None:
    meeting = add_agenda_item(meeting, item_id="a1", author_id="p-mentee", text="Career goals")
    meeting = mark_agenda_item_done(meeting, item_id="a1", by="p-mentor")
    assert [(i.text, i.done) for i in meeting.agenda] == [("Career goals", True)]


def test_cancelled_meeting_takes_no_more_notes(meeting: Meeting) -> None:
    cancelled = cancel_meeting(meeting, now=NOW, by="p-mentor").state
    with pytest.raises(IllegalTransition, match="cancelled"):
        add_shared_note(
            cancelled, note_id="n", author_id="p-mentor", text="x", now=NOW + timedelta(hours=1)
        )
