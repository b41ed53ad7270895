"""Specifications: quiet hours in the person's zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain.quiet_hours import QuietHours
from shared.errors import InvalidInput

NIGHT = QuietHours(time(22, 0), time(7, 0))
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_window_wrapping_midnight_contains_late_evening_and_early_morning() -> None:
    assert NIGHT.contains(utc(2026, 1, 10, 22, 30), ZoneInfo("UTC"))
    assert NIGHT.contains(utc(2026, 1, 10, 6, 59), ZoneInfo("UTC"))
    assert not NIGHT.contains(utc(2026, 1, 10, 7, 0), ZoneInfo("UTC"))
    assert not NIGHT.contains(utc(2026, 1, 10, 21, 59), ZoneInfo("UTC"))


def test_daytime_window_does_not_wrap() -> None:
    lunch = QuietHours(time(12, 0), time(13, 0))

    assert lunch.contains(utc(2026, 1, 10, 12, 30), ZoneInfo("UTC"))
    assert not lunch.contains(utc(2026, 1, 10, 23, 0), ZoneInfo("UTC"))


def test_same_instant_is_quiet_in_berlin_but_not_in_new_york() -> None:
    instant = utc(2026, 1, 10, 23, 0)  # 00:00 in Berlin, 18:00 in New York

    assert NIGHT.contains(instant, BERLIN)
    assert not NIGHT.contains(instant, NEW_YORK)


def test_end_of_quiet_hours_is_the_local_end_time_in_utc() -> None:
    # 23:00 CET -> ends 07:00 CET next morning = 06:00 UTC
    assert NIGHT.period_end(utc(2026, 1, 10, 22, 0), BERLIN) == utc(2026, 1, 11, 6, 0)


def test_instant_outside_quiet_hours_is_its_own_end() -> None:
    instant = utc(2026, 1, 10, 12, 0)

    assert NIGHT.period_end(instant, BERLIN) == instant


def test_new_york_spring_forward_night_ends_at_seven_edt() -> None:
    # 2026-03-08: clocks jump 02:00 EST -> 03:00 EDT. The night began at 22:00 EST.
    evening = utc(2026, 3, 8, 3, 30)  # 22:30 EST on 7 March
    early = utc(2026, 3, 8, 9, 0)  # 05:00 EDT

    assert NIGHT.period_end(evening, NEW_YORK) == utc(2026, 3, 8, 11, 0)  # 07:00 EDT
    assert NIGHT.period_end(early, NEW_YORK) == utc(2026, 3, 8, 11, 0)


def test_new_york_fall_back_night_ends_at_seven_est() -> None:
    # 2026-11-01: clocks go back 02:00 EDT -> 01:00 EST.
    first_one_am = utc(2026, 11, 1, 5, 0)  # 01:00 EDT
    second_one_am = utc(2026, 11, 1, 6, 0)  # 01:00 EST

    assert NIGHT.period_end(first_one_am, NEW_YORK) == utc(2026, 11, 1, 12, 0)
    assert NIGHT.period_end(second_one_am, NEW_YORK) == utc(2026, 11, 1, 12, 0)


def test_berlin_autumn_night_ends_at_seven_cet_from_either_pass_of_the_repeated_hour() -> None:
    # 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 local happens twice.
    first_pass = utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    second_pass = utc(2026, 10, 25, 1, 30)  # 02:30 CET

    assert NIGHT.contains(first_pass, BERLIN) and NIGHT.contains(second_pass, BERLIN)
    assert NIGHT.period_end(first_pass, BERLIN) == utc(2026, 10, 25, 6, 0)
    assert NIGHT.period_end(second_pass, BERLIN) == utc(2026, 10, 25, 6, 0)


def test_quiet_hours_ending_inside_the_spring_gap_end_right_after_it() -> None:
    # 2026-03-29 in Berlin: 02:00 CET -> 03:00 CEST, so 02:30 never happens.
    short_night = QuietHours(time(23, 0), time(2, 30))

    end = short_night.period_end(utc(2026, 3, 28, 23, 30), BERLIN)  # 00:30 CET

    assert end == utc(2026, 3, 29, 1, 30)  # 03:30 CEST
    assert not short_night.contains(end, BERLIN)


def test_quiet_hours_ending_inside_the_repeated_hour_end_on_the_matching_pass() -> None:
    short_night = QuietHours(time(22, 0), time(2, 30))

    assert short_night.period_end(utc(2026, 10, 25, 0, 15), BERLIN) == utc(2026, 10, 25, 0, 30)
    assert short_night.period_end(utc(2026, 10, 25, 1, 15), BERLIN) == utc(2026, 10, 25, 1, 30)


def test_empty_window_is_refused() -> None:
    with pytest.raises(InvalidInput):
        QuietHours(time(7, 0), time(7, 0))


@given(
    instant=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    zone_name=st.sampled_from(
        ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
    ),
    start=st.times(),
    end=st.times(),
)
def test_period_end_is_never_earlier_and_never_inside_quiet_hours(
    instant: datetime, zone_name: str, start: time, end: time
) -> None:
    if start == end:
        return
    quiet = QuietHours(start, end)
    tz = ZoneInfo(zone_name)

    moved = quiet.period_end(instant, tz)

    assert moved >= instant
    assert moved - instant <= timedelta(hours=25)
    assert not quiet.contains(moved, tz)
