from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.sessions.domain.errors import InvalidInput
from services.sessions.domain.meetings import MeetingStatus, complete_meeting
from services.sessions.domain.series import SeriesStatus, cancel_series, schedule_series

from .builders import NOW, make_pair

BERLIN = ZoneInfo("Europe/Berlin")


def test_series_keeps_nine_oclock_local_across_a_dst_change() -> None:
    rel = make_pair(planned_end_on=date(2026, 4, 30))
    series, meetings = schedule_series(
        series_id="s1",
        relationship=rel,
        organiser_id="p-mentor",
        first_date=date(2026, 3, 16),
        local_time=time(9, 0),
        duration_minutes=60,
        interval_weeks=2,
        now=NOW,
    ).state
    local = [m.starts_at.astimezone(BERLIN) for m in meetings]
    assert [d.date() for d in local] == [
        date(2026, 3, 16),
        date(2026, 3, 30),
        date(2026, 4, 13),
        date(2026, 4, 27),
    ]
    assert {(d.hour, d.minute) for d in local} == {(9, 0)}
    # Berlin moves to summer time on 29 March: the UTC time moves instead.
    assert meetings[0].starts_at == datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
    assert meetings[1].starts_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_series_keeps_local_time_across_the_us_dst_change_too() -> None:
    rel = make_pair(mentor_zone="America/New_York", planned_end_on=date(2026, 3, 31))
    (_, meetings) = schedule_series(
        series_id="s2",
        relationship=rel,
        organiser_id="p-mentor",
        first_date=date(2026, 3, 3),
        local_time=time(9, 0),
        duration_minutes=30,
        interval_weeks=1,
        now=NOW,
    ).state
    new_york = ZoneInfo("America/New_York")
    assert {m.starts_at.astimezone(new_york).time() for m in meetings} == {time(9, 0)}
    assert len({m.starts_at.time() for m in meetings}) == 2  # 14:00 then 13:00 UTC


def test_series_repeats_every_n_weeks_until_the_planned_end() -> None:
    rel = make_pair(planned_end_on=date(2026, 5, 31))
    outcome = schedule_series(
        series_id="s3",
        relationship=rel,
        organiser_id="p-mentor",
        first_date=date(2026, 3, 4),
        local_time=time(17, 30),
        duration_minutes=45,
        interval_weeks=3,
        now=NOW,
    )
    series, meetings = outcome.state
    assert series.until == date(2026, 5, 31)
    gaps = {
        (b.local_starts_at.date() - a.local_starts_at.date()).days
        for a, b in zip(meetings, meetings[1:], strict=False)
    }
    assert gaps == {21}
    assert meetings[-1].local_starts_at.date() <= date(2026, 5, 31)
    assert meetings[-1].local_starts_at.date() + timedelta(weeks=3) > date(2026, 5, 31)
    assert all(m.series_id == "s3" and m.original_starts_at == m.starts_at for m in meetings)
    types = [e.type for e in outcome.events]
    assert types[0] == "meeting.series_scheduled"
    assert types[1:] == ["meeting.scheduled"] * len(meetings)


def test_series_occurrences_already_past_are_skipped() -> None:
    rel = make_pair(planned_end_on=date(2026, 3, 31))
    _, meetings = schedule_series(
        series_id="s4",
        relationship=rel,
        organiser_id="p-mentor",
        first_date=date(2026, 2, 23),
        local_time=time(9, 0),
        duration_minutes=45,
        interval_weeks=1,
        now=NOW,
    ).state
    assert meetings[0].starts_at > NOW
    assert meetings[0].id == "s4-002"  # ids stay stable by occurrence index


def test_series_interval_is_validated() -> None:
    with pytest.raises(InvalidInput):
        schedule_series(
            series_id="s",
            relationship=make_pair(),
            organiser_id="p-mentor",
            first_date=date(2026, 3, 4),
            local_time=time(9),
            duration_minutes=30,
            interval_weeks=0,
            now=NOW,
        )


def test_cancelling_a_series_cancels_only_its_future_scheduled_meetings() -> None:
    rel = make_pair(planned_end_on=date(2026, 4, 30))
    series, meetings = schedule_series(
        series_id="s5",
        relationship=rel,
        organiser_id="p-mentor",
        first_date=date(2026, 3, 3),
        local_time=time(9),
        duration_minutes=30,
        interval_weeks=1,
        now=NOW,
    ).state
    later = meetings[1].starts_at + timedelta(hours=2)
    held = complete_meeting(meetings[0], now=later, attended_ids={"p-mentor", "p-mentee"}).state
    outcome = cancel_series(series, [held, *meetings[1:]], now=later, by="p-mentee")
    new_series, changed = outcome.state
    assert new_series.status is SeriesStatus.CANCELLED and new_series.sequence == 1
    assert [m.id for m in changed] == [m.id for m in meetings[2:]]
    assert all(m.status is MeetingStatus.CANCELLED for m in changed)
    assert outcome.events[0].type == "meeting.series_cancelled"
