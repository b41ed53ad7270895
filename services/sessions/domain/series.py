"""Recurring meeting series: every N weeks until the relationship's planned end.

Occurrences keep the same local wall-clock time in the organiser's zone, so a
09:00 Berlin meeting stays at 09:00 local across DST changes (its UTC time moves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from shared.local_time import iso, local_to_utc, require_utc, zone

from .errors import IllegalTransition, InvalidInput
from .events import DomainEvent, EventType, EventValue, Outcome
from .meetings import Meeting, MeetingStatus, Organised, cancel_meeting, schedule_meeting
from .relationships import Relationship

__all__ = [
    "SeriesStatus",
    "MeetingSeries",
    "occurrence_starts",
    "occurrence_id",
    "schedule_series",
    "cancel_series",
]

MAX_OCCURRENCES = 200


class SeriesStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class MeetingSeries(Organised):
    """A weekly-based recurrence rule anchored on a local date and wall-clock time."""

    first_date: date
    local_time: time
    duration_minutes: int
    interval_weeks: int
    until: date  # inclusive, in the organiser's zone
    status: SeriesStatus = SeriesStatus.ACTIVE
    sequence: int = 0

    @property
    def first_starts_at(self) -> datetime:
        return local_to_utc(self.first_date, self.local_time, zone(self.time_zone))


def occurrence_id(series_id: str, index: int) -> str:
    """Deterministic meeting id of the n-th occurrence (idempotent re-creation)."""
    return f"{series_id}-{index:03d}"


def occurrence_starts(series: MeetingSeries) -> list[datetime]:
    """UTC start times of every occurrence, same local wall-clock time each time."""
    tz = zone(series.time_zone)
    starts: list[datetime] = []
    day = series.first_date
    step = timedelta(weeks=series.interval_weeks)
    while day <= series.until and len(starts) < MAX_OCCURRENCES:
        starts.append(local_to_utc(day, series.local_time, tz))
        day += step
    return starts


def schedule_series(
    *,
    series_id: str,
    relationship: Relationship,
    organiser_id: str,
    first_date: date,
    local_time: time,
    duration_minutes: int,
    interval_weeks: int,
    now: datetime,
    until: date | None = None,
    time_zone: str | None = None,
) -> Outcome[tuple[MeetingSeries, tuple[Meeting, ...]]]:
    """Create a series and its meetings up to `until` (default: the planned end).

    Occurrences already in the past are skipped. Emits `meeting.series_scheduled`
    and one `meeting.scheduled` per occurrence.
    """
    now = require_utc(now, "now")
    if not 1 <= interval_weeks <= 52:
        raise InvalidInput("a series repeats every 1 to 52 weeks")
    end = until or relationship.planned_end_on
    if end < first_date:
        raise InvalidInput("the series must end on or after its first date")
    tz_name = time_zone or relationship.member(organiser_id).time_zone
    series = MeetingSeries(
        id=series_id,
        relationship_id=relationship.id,
        program_id=relationship.program_id,
        organiser_id=organiser_id,
        participant_ids=relationship.member_ids,
        time_zone=tz_name,
        first_date=first_date,
        local_time=local_time,
        duration_minutes=duration_minutes,
        interval_weeks=interval_weeks,
        until=end,
    )
    meetings, events = _occurrences(series, relationship, now)
    if not meetings:
        raise InvalidInput("the series has no occurrence in the future")
    return Outcome((series, meetings), (_scheduled_event(series, meetings, now), *events))


def _occurrences(
    series: MeetingSeries, relationship: Relationship, now: datetime
) -> tuple[tuple[Meeting, ...], list[DomainEvent]]:
    """The meetings of the series still in the future, each with its own event."""
    meetings: list[Meeting] = []
    events: list[DomainEvent] = []
    for index, start in enumerate(occurrence_starts(series)):
        if start <= now:
            continue
        outcome = schedule_meeting(
            meeting_id=occurrence_id(series.id, index),
            relationship=relationship,
            organiser_id=series.organiser_id,
            starts_at=start,
            duration_minutes=series.duration_minutes,
            now=now,
            time_zone=series.time_zone,
            series_id=series.id,
        )
        meetings.append(outcome.state)
        events.extend(outcome.events)
    return tuple(meetings), events


def _scheduled_event(
    series: MeetingSeries, meetings: tuple[Meeting, ...], now: datetime
) -> DomainEvent:
    return _series_event(
        EventType.SERIES_SCHEDULED,
        series,
        now,
        organiser_id=series.organiser_id,
        participant_ids=series.participant_ids,
        time_zone=series.time_zone,
        interval_weeks=series.interval_weeks,
        first_starts_at=iso(meetings[0].starts_at),
        until=series.until.isoformat(),
        meeting_ids=tuple(m.id for m in meetings),
    )


def _series_event(
    type_: str, series: MeetingSeries, now: datetime, **data: EventValue
) -> DomainEvent:
    ids = {"series_id": series.id, "relationship_id": series.relationship_id}
    payload = {**ids, "program_id": series.program_id, **data}
    return DomainEvent(type=type_, subject_id=series.id, occurred_at=now, data=payload)


def cancel_series(
    series: MeetingSeries,
    meetings: Sequence[Meeting],
    *,
    now: datetime,
    by: str,
    reason: str | None = None,
) -> Outcome[tuple[MeetingSeries, tuple[Meeting, ...]]]:
    """Cancel the series and every still-scheduled future occurrence of it.

    Returns the cancelled series and only the meetings that changed.
    """
    now = require_utc(now, "now")
    if series.status is SeriesStatus.CANCELLED:
        raise IllegalTransition("this series has already been cancelled")
    changed: list[Meeting] = []
    events: list[DomainEvent] = []
    for meeting in meetings:
        if meeting.series_id != series.id:
            continue
        if meeting.status is MeetingStatus.SCHEDULED and meeting.starts_at > now:
            outcome = cancel_meeting(meeting, now=now, by=by, reason=reason)
            changed.append(outcome.state)
            events.extend(outcome.events)
    new = replace(series, status=SeriesStatus.CANCELLED, sequence=series.sequence + 1)
    head = _series_event(
        EventType.SERIES_CANCELLED,
        new,
        now,
        cancelled_by=by,
        reason=reason,
        meeting_ids=tuple(m.id for m in changed),
    )
    return Outcome((new, tuple(changed)), (head, *events))
