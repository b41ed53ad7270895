"""Small time helpers shared by the domain modules (no clock access here)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InvalidInput

__all__ = ["require_utc", "zone", "local_to_utc", "iso_week_key", "iso", "start_of_next_day"]


def require_utc(value: datetime, what: str) -> datetime:
    """Return `value` converted to UTC; naive datetimes are refused (ambiguous)."""
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

    A time skipped by a DST jump (e.g. 02:30 on spring-forward day) moves forward by
    the size of the jump; an ambiguous time (autumn) takes its first occurrence.
    """
    # PEP 495: fold=0 gives the first of two ambiguous times, and for a skipped time it
    # applies the pre-transition offset, which lands after the gap by the gap's size.
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def iso_week_key(day: date) -> str:
    """ISO week label such as '2026-W09'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def iso(value: datetime) -> str:
    """ISO 8601 text in UTC for event payloads."""
    return value.astimezone(UTC).isoformat()


def start_of_next_day(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` ends in `tz`."""
    return local_to_utc(day + timedelta(days=1), time(0, 0), tz)
