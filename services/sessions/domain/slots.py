"""Slot proposal: the earliest times that fall inside every member's working hours.

Working hours are local (e.g. Mon-Fri 09:00-17:00 in Asia/Kolkata) and converted to
UTC per calendar day, so DST changes and half-hour offsets are handled by zoneinfo.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from shared.local_time import local_to_utc, require_utc, zone

from .errors import InvalidInput

__all__ = ["WorkingHours", "Slot", "propose_slots"]

Interval = tuple[datetime, datetime]
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class WorkingHours:
    """A person's local working window. `weekdays` uses 0=Monday .. 6=Sunday.

    An `end` earlier than `start` means the window runs past midnight.
    """

    person_id: str
    time_zone: str | None  # None: not known (UTC); the service fills in the member's own
    start: time
    end: time
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC


def _windows(hours: WorkingHours, first: date, last: date) -> list[Interval]:
    """UTC intervals of one person's working hours over local days first..last."""
    tz = zone(hours.time_zone or "UTC")
    out: list[Interval] = []
    day = first
    while day <= last:
        if day.weekday() in hours.weekdays:
            start = local_to_utc(day, hours.start, tz)
            end_day = day if hours.end > hours.start else day + timedelta(days=1)
            end = local_to_utc(end_day, hours.end, tz)
            if end > start:
                out.append((start, end))
        day += timedelta(days=1)
    return out


def _intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(free: Sequence[Interval], busy: Iterable[Interval]) -> list[Interval]:
    result = list(free)
    for b_start, b_end in sorted(busy):
        next_result: list[Interval] = []
        for start, end in result:
            if b_end <= start or b_start >= end:
                next_result.append((start, end))
                continue
            if start < b_start:
                next_result.append((start, b_start))
            if b_end < end:
                next_result.append((b_end, end))
        result = next_result
    return result


def _ceil_to_grid(value: datetime, grid: timedelta) -> datetime:
    remainder = (value - _EPOCH) % grid
    return value if not remainder else value + (grid - remainder)


def propose_slots(
    working_hours: Sequence[WorkingHours],
    *,
    first_day: date,
    last_day: date,
    duration: timedelta,
    now: datetime,
    count: int = 3,
    busy: Sequence[tuple[datetime, datetime]] = (),
    grid: timedelta = timedelta(minutes=15),
    min_notice: timedelta = timedelta(0),
) -> list[Slot]:
    """Propose up to `count` earliest non-overlapping slots inside everyone's working hours.

    The range is the days `first_day`..`last_day` inclusive, each person's own local
    days in their own zone (a slot lies inside every member's working day). Slots start on a
    `grid` boundary (15 minutes fits every real-world offset, e.g. +05:30 and +05:45),
    no earlier than `now + min_notice`, and avoid the `busy` intervals (UTC).
    """
    now = require_utc(now, "now")
    if not working_hours:
        raise InvalidInput("slot proposal needs at least one member's working hours")
    if duration <= timedelta(0) or count < 1 or grid <= timedelta(0):
        raise InvalidInput("duration, count and grid must be positive")
    if last_day < first_day:
        raise InvalidInput("the date range ends before it starts")
    common: list[Interval] = [(now + min_notice, _END_OF_TIME)]
    for hours in working_hours:
        common = _intersect(common, _windows(hours, first_day, last_day))
    busy_utc = [(require_utc(s, "busy start"), require_utc(e, "busy end")) for s, e in busy]
    free = _subtract(_merge(common), busy_utc)
    slots: list[Slot] = []
    for start, end in free:
        candidate = _ceil_to_grid(start, grid)
        while candidate + duration <= end and len(slots) < count:
            slots.append(Slot(candidate, candidate + duration))
            candidate = _ceil_to_grid(candidate + duration, grid)
        if len(slots) >= count:
            break
    return slots


def _merge(intervals: Sequence[Interval]) -> list[Interval]:
    """Sort and join touching intervals (windows past midnight may meet the next day's)."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
