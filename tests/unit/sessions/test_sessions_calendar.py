from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from services.sessions.domain.calendar import (
    CalendarParty,
    Invitation,
    meeting_to_ics,
    series_to_ics,
)
from services.sessions.domain.errors import IllegalTransition
from services.sessions.domain.meeting_content import add_private_note
from services.sessions.domain.meetings import (
    Meeting,
    cancel_meeting,
    complete_meeting,
    reschedule_meeting,
)
from services.sessions.domain.series import MeetingSeries, cancel_series, schedule_series

from .builders import NOW, make_pair


def _event(ics: bytes) -> tuple[Any, Any]:
    """Parse back; icalendar's value types are too broad to be useful in asserts."""
    cal = Calendar.from_ical(ics)
    [event] = cal.walk("VEVENT")
    return cal, event


def test_meeting_invitation_parses_back_with_times_in_the_organisers_zone(meeting: Meeting) -> None:
    ics = meeting_to_ics(
        meeting,
        now=NOW,
        look=Invitation(
            organiser=CalendarParty("mentor@example.org", "Mentor"),
            attendees=[CalendarParty("mentee@example.org")],
        ),
    )
    assert isinstance(ics, bytes)
    cal, event = _event(ics)
    assert cal["METHOD"] == "REQUEST"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTSTART").tzinfo.key == "Europe/Berlin"
    assert event.decoded("DTEND") == meeting.ends_at
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_rescheduled_meeting_keeps_its_uid_with_a_higher_sequence(meeting: Meeting) -> None:
    _, first = _event(meeting_to_ics(meeting, now=NOW))
    moved = reschedule_meeting(
        meeting, new_starts_at=meeting.starts_at + timedelta(days=2), now=NOW, by="p-mentee"
    ).state
    cal, update = _event(meeting_to_ics(moved, now=NOW + timedelta(minutes=5)))
    assert cal["METHOD"] == "REQUEST"
    assert str(update["UID"]) == str(first["UID"])
    assert int(update["SEQUENCE"]) > int(first["SEQUENCE"])
    assert update.decoded("DTSTART") == moved.starts_at


def test_cancelled_meeting_produces_method_cancel_and_status_cancelled(meeting: Meeting) -> None:
    _, original = _event(meeting_to_ics(meeting, now=NOW))
    cancelled = cancel_meeting(meeting, now=NOW, by="p-mentor").state
    cal, event = _event(meeting_to_ics(cancelled, now=NOW))
    assert cal["METHOD"] == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(original["UID"])
    assert int(event["SEQUENCE"]) > int(original["SEQUENCE"])


def test_completed_meeting_has_no_invitation(meeting: Meeting) -> None:
    done = complete_meeting(
        meeting, now=meeting.starts_at + timedelta(hours=1), attended_ids={"p-mentor", "p-mentee"}
    ).state
    with pytest.raises(IllegalTransition):
        meeting_to_ics(done, now=NOW)


def test_invitation_never_carries_notes(meeting: Meeting) -> None:
    noted = add_private_note(
        meeting, note_id="n", author_id="p-mentor", text="SECRET-NOTE", now=NOW
    )
    assert b"SECRET-NOTE" not in meeting_to_ics(noted, now=NOW)


def _series() -> tuple[MeetingSeries, tuple[Meeting, ...]]:
    return schedule_series(
        series_id="s1",
        relationship=make_pair(planned_end_on=date(2026, 6, 30)),
        organiser_id="p-mentor",
        first_date=date(2026, 3, 16),
        local_time=time(9, 0),
        duration_minutes=60,
        interval_weeks=2,
        now=NOW,
    ).state


def test_series_invitation_has_a_weekly_rrule_anchored_in_local_time() -> None:
    series, meetings = _series()
    cal, event = _event(series_to_ics(series, now=NOW))
    assert cal["METHOD"] == "REQUEST"
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [2]
    until = rule["UNTIL"][0]
    assert meetings[-1].starts_at <= until < meetings[-1].starts_at + timedelta(weeks=2)
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute, start.tzinfo.key) == (9, 0, "Europe/Berlin")


def test_moved_series_occurrence_shares_the_series_uid_with_a_recurrence_id() -> None:
    series, meetings = _series()
    _, head = _event(series_to_ics(series, now=NOW))
    moved = reschedule_meeting(
        meetings[1],
        new_starts_at=meetings[1].starts_at + timedelta(hours=3),
        now=NOW,
        by="p-mentor",
    ).state
    _, occurrence = _event(meeting_to_ics(moved, now=NOW))
    assert str(occurrence["UID"]) == str(head["UID"])
    assert occurrence.decoded("RECURRENCE-ID") == meetings[1].starts_at
    assert occurrence.decoded("DTSTART") == moved.starts_at
    assert int(occurrence["SEQUENCE"]) == 1


def test_cancelled_series_produces_method_cancel() -> None:
    series, meetings = _series()
    cancelled, _ = cancel_series(series, meetings, now=NOW, by="p-mentor").state
    cal, event = _event(series_to_ics(cancelled, now=NOW))
    assert cal["METHOD"] == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
