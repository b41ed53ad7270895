"""Time spent in a relationship, logged by its members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.local_time import require_utc

from .errors import InvalidInput
from .events import EventType, Outcome
from .relationships import Relationship

__all__ = ["TimeLog", "log_time_spent", "total_minutes"]


@dataclass(frozen=True)
class TimeLog:
    """Minutes a member spent on the relationship (meeting, preparation, follow-up)."""

    id: str
    relationship_id: str
    person_id: str
    minutes: int
    spent_on: date
    meeting_id: str | None = None


def log_time_spent(
    relationship: Relationship,
    *,
    log_id: str,
    person_id: str,
    minutes: int,
    spent_on: date,
    now: datetime,
    meeting_id: str | None = None,
) -> Outcome[TimeLog]:
    """Log minutes spent; not in the future, and at most a day's worth per entry."""
    now = require_utc(now, "now")
    relationship.member(person_id)
    if not 1 <= minutes <= 24 * 60:
        raise InvalidInput("time spent is between 1 minute and 24 hours per entry")
    if spent_on > now.date() + timedelta(days=1):  # a day of slack for zones ahead of UTC
        raise InvalidInput("time cannot be logged for a future day")
    log = TimeLog(log_id, relationship.id, person_id, minutes, spent_on, meeting_id)
    event = relationship.event(
        EventType.TIME_LOGGED,
        now,
        log_id=log_id,
        person_id=person_id,
        meeting_id=meeting_id,
        minutes=minutes,
        spent_on=spent_on.isoformat(),
    )
    return Outcome(log, (event,))


def total_minutes(logs: Sequence[TimeLog], *, person_id: str | None = None) -> int:
    """Sum of minutes logged, for one person or everyone."""
    return sum(log.minutes for log in logs if person_id is None or log.person_id == person_id)
