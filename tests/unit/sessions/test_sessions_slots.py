from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.sessions.domain.errors import InvalidInput
from services.sessions.domain.slots import Slot, WorkingHours, propose_slots

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # Monday
BERLIN = WorkingHours("p-berlin", "Europe/Berlin", time(9), time(17))
KOLKATA = WorkingHours("p-kolkata", "Asia/Kolkata", time(9), time(18))
NEW_YORK = WorkingHours("p-ny", "America/New_York", time(9), time(17))


def _inside(slot: Slot, hours: WorkingHours) -> bool:
    tz = ZoneInfo(hours.time_zone)
    start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
    return (
        start.date() == end.date()
        and start.weekday() in hours.weekdays
        and hours.start <= start.time()
        and end.time() <= hours.end
    )


def test_slots_fall_inside_every_members_working_hours_across_zones() -> None:
    slots = propose_slots(
        [BERLIN, KOLKATA],
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 6),
        duration=timedelta(minutes=60),
        now=NOW,
        count=5,
    )
    assert len(slots) == 5
    for slot in slots:
        assert _inside(slot, BERLIN) and _inside(slot, KOLKATA)
    # Berlin opens at 08:00 UTC, Kolkata closes at 12:30 UTC: the overlap is 08:00-12:30.
    assert slots[0].starts_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert [s.starts_at.hour for s in slots[:4]] == [8, 9, 10, 11]
    assert slots[4].starts_at.date() == date(2026, 3, 3)


def test_half_hour_zone_boundaries_are_respected() -> None:
    early_kolkata = WorkingHours("p-k", "Asia/Kolkata", time(9, 0), time(13, 0))
    london = WorkingHours("p-l", "Europe/London", time(7, 0), time(12, 0))
    [slot] = propose_slots(
        [early_kolkata, london],
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 2),
        duration=timedelta(minutes=30),
        now=NOW,
        count=1,
    )
    # London opens 07:00 UTC (12:30 Kolkata); Kolkata closes 07:30 UTC.
    assert slot.starts_at == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert slot.starts_at.astimezone(ZoneInfo("Asia/Kolkata")).time() == time(12, 30)


def test_no_slot_when_working_hours_never_overlap() -> None:
    slots = propose_slots(
        [KOLKATA, NEW_YORK],
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 13),
        duration=timedelta(minutes=30),
        now=NOW,
    )
    assert slots == []


def test_overlap_follows_daylight_saving_changes() -> None:
    # US clocks move on 8 March, EU clocks on 29 March: for three weeks the
    # Berlin/New York overlap is one hour longer (14:00-17:00 Berlin instead of 15:00-17:00).
    def first_start(day: date) -> datetime:
        [slot] = propose_slots(
            [BERLIN, NEW_YORK],
            first_day=day,
            last_day=day,
            duration=timedelta(minutes=30),
            now=NOW,
            count=1,
        )
        return slot.starts_at

    assert first_start(date(2026, 3, 3)) == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    assert first_start(date(2026, 3, 10)) == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    assert first_start(date(2026, 3, 31)) == datetime(2026, 3, 31, 13, 0, tzinfo=UTC)
    assert first_start(date(2026, 3, 31)).astimezone(ZoneInfo("Europe/Berlin")).hour == 15


def test_slots_are_never_in_the_past_and_avoid_busy_times() -> None:
    now = datetime(2026, 3, 2, 8, 10, tzinfo=UTC)
    busy = [(datetime(2026, 3, 2, 8, 15, tzinfo=UTC), datetime(2026, 3, 2, 10, 0, tzinfo=UTC))]
    slots = propose_slots(
        [BERLIN, KOLKATA],
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 2),
        duration=timedelta(minutes=45),
        now=now,
        busy=busy,
        count=3,
    )
    assert [s.starts_at.strftime("%H:%M") for s in slots] == ["10:00", "10:45", "11:30"]


def test_weekends_outside_working_days_get_no_slots() -> None:
    slots = propose_slots(
        [BERLIN, KOLKATA],
        first_day=date(2026, 3, 7),
        last_day=date(2026, 3, 8),
        duration=timedelta(minutes=30),
        now=NOW,
    )
    assert slots == []


def test_slot_proposal_needs_working_hours_and_a_positive_duration() -> None:
    with pytest.raises(InvalidInput):
        propose_slots(
            [],
            first_day=date(2026, 3, 2),
            last_day=date(2026, 3, 2),
            duration=timedelta(minutes=30),
            now=NOW,
        )
    with pytest.raises(InvalidInput):
        propose_slots(
            [BERLIN],
            first_day=date(2026, 3, 2),
            last_day=date(2026, 3, 2),
            duration=timedelta(0),
            now=NOW,
        )


ZONES = [
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Adelaide",
    "Pacific/Auckland",
    "UTC",
]


@st.composite
def working_hours(draw: st.DrawFn, person: str) -> WorkingHours:
    start_hour = draw(st.integers(min_value=0, max_value=20))
    length = draw(st.integers(min_value=1, max_value=23 - start_hour))
    days = draw(st.frozensets(st.integers(min_value=0, max_value=6), min_size=1))
    return WorkingHours(
        person, draw(st.sampled_from(ZONES)), time(start_hour), time(start_hour + length), days
    )


@settings(max_examples=60, deadline=None)
@given(
    members=st.lists(st.integers(), min_size=2, max_size=3).flatmap(
        lambda xs: st.tuples(*[working_hours(f"p{i}") for i in range(len(xs))])
    ),
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 1)),
    minutes=st.sampled_from([15, 30, 45, 60, 90]),
)
def test_every_proposed_slot_is_inside_every_members_hours(
    members: tuple[WorkingHours, ...], start: date, minutes: int
) -> None:
    now = datetime.combine(start, time(0), tzinfo=UTC)
    slots = propose_slots(
        list(members),
        first_day=start,
        last_day=start + timedelta(days=13),
        duration=timedelta(minutes=minutes),
        now=now,
        count=4,
    )
    for slot in slots:
        assert slot.starts_at >= now
        assert slot.ends_at - slot.starts_at == timedelta(minutes=minutes)
        assert all(_inside(slot, hours) for hours in members)
    assert all(a.ends_at <= b.starts_at for a, b in zip(slots, slots[1:], strict=False))
