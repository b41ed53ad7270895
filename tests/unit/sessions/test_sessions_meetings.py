from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.sessions.domain.errors import IllegalTransition, InvalidInput, NotAMember
from services.sessions.domain.meetings import (
    Meeting,
    MeetingStatus,
    cancel_meeting,
    complete_meeting,
    mark_no_show,
    reschedule_meeting,
    schedule_meeting,
)
from services.sessions.domain.relationships import Relationship, pause_relationship

from .builders import NOW, make_meeting, make_pair

AFTER_START = NOW + timedelta(days=3, minutes=50)


def test_meeting_is_stored_in_utc_and_keeps_the_organisers_zone(pair: Relationship) -> None:
    outcome = schedule_meeting(
        meeting_id="m-1",
        relationship=pair,
        organiser_id="p-mentor",
        starts_at=datetime.fromisoformat("2026-03-05T09:00:00+01:00"),
        duration_minutes=45,
        now=NOW,
    )
    meeting = outcome.state
    assert meeting.starts_at == datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    assert meeting.starts_at.tzinfo is UTC
    assert meeting.time_zone == "Europe/Berlin"
    assert meeting.local_starts_at.hour == 9
    assert meeting.participant_ids == ("p-mentor", "p-mentee")
    [event] = outcome.events
    assert event.type == "meeting.scheduled"
    assert event.data["starts_at"] == "2026-03-05T08:00:00+00:00"
    assert event.data["sequence"] == 0


def test_meeting_cannot_be_scheduled_in_the_past(pair: Relationship) -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        make_meeting(pair, starts_in=-timedelta(hours=1))


def test_naive_datetimes_are_refused(pair: Relationship) -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        schedule_meeting(
            meeting_id="m",
            relationship=pair,
            organiser_id="p-mentor",
            starts_at=datetime(2026, 3, 5, 9, 0),
            duration_minutes=30,
            now=NOW,
        )


def test_paused_relationship_cannot_schedule_meetings(pair: Relationship) -> None:
    paused = pause_relationship(pair, reason="match_flagged", now=NOW).state
    with pytest.raises(IllegalTransition, match="only for an active relationship"):
        make_meeting(paused)


def test_outsider_cannot_organise_a_meeting(pair: Relationship) -> None:
    with pytest.raises(NotAMember):
        schedule_meeting(
            meeting_id="m",
            relationship=pair,
            organiser_id="stranger",
            starts_at=NOW + timedelta(days=1),
            duration_minutes=30,
            now=NOW,
        )


def test_reschedule_moves_the_meeting_and_increments_sequence(meeting: Meeting) -> None:
    new_start = meeting.starts_at + timedelta(days=1)
    outcome = reschedule_meeting(meeting, new_starts_at=new_start, now=NOW, by="p-mentee")
    assert outcome.state.starts_at == new_start
    assert outcome.state.sequence == meeting.sequence + 1
    assert outcome.state.status is MeetingStatus.SCHEDULED
    [event] = outcome.events
    assert event.type == "meeting.rescheduled"
    assert event.data["previous_starts_at"] == meeting.starts_at.isoformat()


def test_meeting_cannot_be_moved_into_the_past(meeting: Meeting) -> None:
    with pytest.raises(InvalidInput):
        reschedule_meeting(meeting, new_starts_at=NOW - timedelta(days=1), now=NOW, by="p-mentor")


def test_completed_meeting_cannot_be_rescheduled(meeting: Meeting) -> None:
    done = complete_meeting(meeting, now=AFTER_START, attended_ids={"p-mentor", "p-mentee"}).state
    with pytest.raises(IllegalTransition) as raised:
        reschedule_meeting(
            done, new_starts_at=AFTER_START + timedelta(days=2), now=AFTER_START, by="p-mentor"
        )
    assert raised.value.reason == (
        "a completed meeting cannot be rescheduled; only a scheduled meeting can"
    )


def test_cancelled_meeting_cannot_be_completed(meeting: Meeting) -> None:
    cancelled = cancel_meeting(meeting, now=NOW, by="p-mentor", reason="conflict").state
    assert cancelled.status is MeetingStatus.CANCELLED
    with pytest.raises(IllegalTransition, match="a cancelled meeting cannot be completed"):
        complete_meeting(cancelled, now=AFTER_START, attended_ids={"p-mentor", "p-mentee"})


def test_cancellation_increments_sequence_and_is_announced(meeting: Meeting) -> None:
    outcome = cancel_meeting(meeting, now=NOW, by="p-mentee", reason="sick")
    assert outcome.state.sequence == 1
    assert outcome.events[0].type == "meeting.cancelled"
    assert outcome.events[0].data["cancelled_by"] == "p-mentee"


def test_meeting_cannot_be_completed_before_it_starts(meeting: Meeting) -> None:
    with pytest.raises(IllegalTransition, match="before it starts"):
        complete_meeting(meeting, now=NOW, attended_ids={"p-mentor", "p-mentee"})


def test_meeting_held_needs_two_attendees(meeting: Meeting) -> None:
    with pytest.raises(InvalidInput, match="no-show"):
        complete_meeting(meeting, now=AFTER_START, attended_ids={"p-mentor"})


def test_no_show_records_who_was_absent(meeting: Meeting) -> None:
    outcome = mark_no_show(meeting, now=AFTER_START, absent_ids={"p-mentee"})
    assert outcome.state.status is MeetingStatus.NO_SHOW
    assert outcome.state.attended_ids == {"p-mentor"}
    assert outcome.events[0].type == "meeting.no_show"
    assert outcome.events[0].data["absent_ids"] == ("p-mentee",)


def test_outsider_cannot_cancel_a_meeting(meeting: Meeting) -> None:
    with pytest.raises(NotAMember):
        cancel_meeting(meeting, now=NOW, by="stranger")


ACTIONS = ("reschedule", "cancel", "complete", "no_show")


def _apply(meeting: Meeting, action: str) -> Meeting:
    later = meeting.starts_at + timedelta(hours=1)
    if action == "reschedule":
        return reschedule_meeting(
            meeting, new_starts_at=later + timedelta(days=1), now=later, by="p-mentor"
        ).state
    if action == "cancel":
        return cancel_meeting(meeting, now=later, by="p-mentor").state
    if action == "complete":
        return complete_meeting(meeting, now=later, attended_ids={"p-mentor", "p-mentee"}).state
    return mark_no_show(meeting, now=later, absent_ids={"p-mentee"}).state


@given(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=6))
def test_final_states_reject_every_further_move(actions: list[str]) -> None:
    meeting = make_meeting(make_pair())
    for action in actions:
        if meeting.status is MeetingStatus.SCHEDULED:
            before = meeting.sequence
            meeting = _apply(meeting, action)
            assert meeting.sequence >= before
        else:
            with pytest.raises(IllegalTransition) as raised:
                _apply(meeting, action)
            assert raised.value.reason
