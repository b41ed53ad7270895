"""Wall-clock time in a person's zone, for every service's domain. Nothing here reads
the clock: callers pass the instants in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import InvalidInput

__all__ = [
    "iso",
    "iso_seconds",
    "iso_week_key",
    "local_to_utc",
    "next_local_time",
    "next_weekly",
    "require_utc",
    "start_of_next_day",
    "zone",
]


def require_utc(value: datetime, what: str) -> datetime:
    """``value`` in UTC; naive datetimes are refused because they are ambiguous."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{what} must be timezone-aware")
    return value.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    """Resolve an IANA time zone name or raise InvalidInput."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {name!r}") from exc


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Convert a local wall-clock time to UTC.

    A wall time skipped by a spring-forward jump (02:30 in Berlin on the last Sunday
    of March) lands after the gap, shifted by the size of the jump (03:30 CEST); an
    ambiguous autumn time takes its first occurrence.
    """
    # PEP 495: fold=0 applies the pre-transition offset, which for a skipped time
    # lands after the gap and for a repeated time picks the earlier instant.
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def next_local_time(at: time, tz: ZoneInfo, after: datetime) -> datetime:
    """The first UTC instant at or after ``after`` whose local wall time in ``tz`` is ``at``."""
    start_day = after.astimezone(tz).date()
    for offset in range(3):
        candidate = local_to_utc(start_day + timedelta(days=offset), at, tz)
        if candidate >= after:
            return candidate
    raise AssertionError("unreachable: a local time recurs every day")  # pragma: no cover


def next_weekly(weekday: int, at: time, tz: ZoneInfo, after: datetime) -> datetime:
    """The first UTC instant at or after ``after`` on ``weekday`` (Mon=0) at local ``at``."""
    if not 0 <= weekday <= 6:
        raise InvalidInput("weekday must be 0 (Monday) to 6 (Sunday)")
    start_day = after.astimezone(tz).date()
    for offset in range(9):
        day = start_day + timedelta(days=offset)
        if day.weekday() != weekday:
            continue
        candidate = local_to_utc(day, at, tz)
        if candidate >= after:
            return candidate
    raise AssertionError("unreachable: a weekday recurs every week")  # pragma: no cover


def start_of_next_day(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` ends in ``tz``."""
    return local_to_utc(day + timedelta(days=1), time(0, 0), tz)


def iso_week_key(day: date) -> str:
    """ISO week label such as '2026-W09'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def iso(value: datetime) -> str:
    """ISO 8601 text in UTC, full precision (event payloads)."""
    return value.astimezone(UTC).isoformat()


def iso_seconds(value: datetime) -> str:
    """ISO 8601 text in UTC at seconds precision (idempotency keys, message payloads)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()
