"""Meetings and their lifecycle.

State machine (anything else raises `IllegalTransition` with a readable reason):

    scheduled --reschedule--> scheduled (sequence + 1)
    scheduled --cancel------> cancelled (sequence + 1)
    scheduled --complete----> completed   (only once the start time has passed)
    scheduled --no_show-----> no_show     (only once the start time has passed)

cancelled, completed and no_show are final. Times are stored in UTC; the organiser's
IANA zone is kept so calendars and recurrences can keep local wall-clock time.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from shared.local_time import iso, require_utc, zone

from .errors import IllegalTransition, InvalidInput, NotAMember
from .events import DomainEvent, EventType, Outcome
from .relationships import Relationship, RelationshipStatus

__all__ = [
    "MeetingStatus",
    "AgendaItem",
    "Note",
    "Meeting",
    "Organised",
    "schedule_meeting",
    "reschedule_meeting",
    "cancel_meeting",
    "complete_meeting",
    "mark_no_show",
]


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


@dataclass(frozen=True)
class AgendaItem:
    id: str
    author_id: str
    text: str
    done: bool = False


@dataclass(frozen=True)
class Note:
    """A note on a meeting; a private note is visible to its author only."""

    id: str
    author_id: str
    text: str
    written_at: datetime


@dataclass(frozen=True)
class Organised:
    """What a meeting and a series of meetings share: a relationship's member organises
    it for some of its members, in the organiser's (or a chosen) time zone."""

    id: str
    relationship_id: str
    program_id: str
    organiser_id: str
    participant_ids: tuple[str, ...]
    time_zone: str


@dataclass(frozen=True)
class Meeting(Organised):
    """One meeting of a relationship. Never serialise it for a user: use `view_meeting_for`."""

    starts_at: datetime
    duration_minutes: int
    status: MeetingStatus = MeetingStatus.SCHEDULED
    sequence: int = 0
    series_id: str | None = None
    original_starts_at: datetime | None = None  # RECURRENCE-ID of a series occurrence
    agenda: tuple[AgendaItem, ...] = ()
    shared_notes: tuple[Note, ...] = ()
    private_notes: tuple[Note, ...] = ()
    attended_ids: frozenset[str] = field(default_factory=frozenset)
    confirmed_ids: frozenset[str] = field(default_factory=frozenset)  # see attendance.py
    cancelled_by: str | None = None
    cancel_reason: str | None = None
    updated_at: datetime | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def local_starts_at(self) -> datetime:
        """Start time in the organiser's zone."""
        return self.starts_at.astimezone(zone(self.time_zone))

    def require_participant(self, person_id: str) -> None:
        if person_id not in self.participant_ids:
            raise NotAMember(f"person {person_id} is not a participant of meeting {self.id}")


def _require_status(meeting: Meeting, action: str) -> None:
    if meeting.status is not MeetingStatus.SCHEDULED:
        raise IllegalTransition(
            f"a {meeting.status.replace('_', '-')} meeting cannot be {action}; "
            "only a scheduled meeting can"
        )


def _require_duration(minutes: int) -> None:
    if not 5 <= minutes <= 8 * 60:
        raise InvalidInput("a meeting lasts between 5 minutes and 8 hours")


def schedule_meeting(
    *,
    meeting_id: str,
    relationship: Relationship,
    organiser_id: str,
    starts_at: datetime,
    duration_minutes: int,
    now: datetime,
    time_zone: str | None = None,
    participant_ids: Collection[str] | None = None,
    series_id: str | None = None,
) -> Outcome[Meeting]:
    """Schedule a meeting in the future for an active relationship.

    `time_zone` defaults to the organiser's; participants default to every member.
    """
    now = require_utc(now, "now")
    starts_at = require_utc(starts_at, "start time")
    if relationship.status is not RelationshipStatus.ACTIVE:
        raise IllegalTransition(
            f"meetings can be scheduled only for an active relationship; "
            f"this one is {relationship.status}"
        )
    organiser = relationship.member(organiser_id)
    tz_name = time_zone or organiser.time_zone
    zone(tz_name)
    _require_duration(duration_minutes)
    if starts_at <= now:
        raise InvalidInput("a meeting must be scheduled in the future")
    participants = (
        tuple(participant_ids) if participant_ids is not None else relationship.member_ids
    )
    for pid in participants:
        relationship.member(pid)
    if organiser_id not in participants:
        participants = (organiser_id, *participants)
    if len(set(participants)) < 2:
        raise InvalidInput("a meeting needs at least two participants")
    meeting = Meeting(
        id=meeting_id,
        relationship_id=relationship.id,
        program_id=relationship.program_id,
        organiser_id=organiser_id,
        participant_ids=tuple(dict.fromkeys(participants)),
        time_zone=tz_name,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        series_id=series_id,
        original_starts_at=starts_at if series_id else None,
        updated_at=now,
    )
    return Outcome(meeting, (_event(EventType.MEETING_SCHEDULED, meeting, now),))


def reschedule_meeting(
    meeting: Meeting,
    *,
    new_starts_at: datetime,
    now: datetime,
    by: str,
    duration_minutes: int | None = None,
) -> Outcome[Meeting]:
    """Move a scheduled meeting; the calendar sequence goes up so invites update in place."""
    now = require_utc(now, "now")
    new_starts_at = require_utc(new_starts_at, "new start time")
    _require_status(meeting, "rescheduled")
    meeting.require_participant(by)
    if new_starts_at <= now:
        raise InvalidInput("a meeting can only be moved to a time in the future")
    minutes = duration_minutes if duration_minutes is not None else meeting.duration_minutes
    _require_duration(minutes)
    new = replace(
        meeting,
        starts_at=new_starts_at,
        duration_minutes=minutes,
        sequence=meeting.sequence + 1,
        confirmed_ids=frozenset(),  # confirmed for the old time, not the new one
        updated_at=now,
    )
    event = _event(
        EventType.MEETING_RESCHEDULED,
        new,
        now,
        previous_starts_at=iso(meeting.starts_at),
        rescheduled_by=by,
    )
    return Outcome(new, (event,))


def cancel_meeting(
    meeting: Meeting, *, now: datetime, by: str, reason: str | None = None
) -> Outcome[Meeting]:
    """Cancel a scheduled meeting. `reason` is a short code, not free text."""
    now = require_utc(now, "now")
    _require_status(meeting, "cancelled")
    meeting.require_participant(by)
    new = replace(
        meeting,
        status=MeetingStatus.CANCELLED,
        sequence=meeting.sequence + 1,
        cancelled_by=by,
        cancel_reason=reason,
        updated_at=now,
    )
    event = _event(EventType.MEETING_CANCELLED, new, now, cancelled_by=by, reason=reason)
    return Outcome(new, (event,))


def complete_meeting(
    meeting: Meeting, *, now: datetime, attended_ids: Collection[str]
) -> Outcome[Meeting]:
    """Record that the meeting took place with at least two of its participants."""
    now, attended = _how_it_went(meeting, now, "completed", attended_ids)
    if len(attended) < 2:
        raise InvalidInput("a meeting held needs at least two attendees; record a no-show instead")
    new = replace(meeting, status=MeetingStatus.COMPLETED, attended_ids=attended, updated_at=now)
    event = _event(EventType.MEETING_COMPLETED, new, now, attended_ids=tuple(sorted(attended)))
    return Outcome(new, (event,))


def mark_no_show(
    meeting: Meeting, *, now: datetime, absent_ids: Collection[str]
) -> Outcome[Meeting]:
    """Record that the meeting did not take place because someone did not turn up."""
    now, absent = _how_it_went(meeting, now, "marked as a no-show", absent_ids)
    if not absent:
        raise InvalidInput("a no-show names at least one absent participant")
    attended = frozenset(meeting.participant_ids) - absent
    new = replace(meeting, status=MeetingStatus.NO_SHOW, attended_ids=attended, updated_at=now)
    event = _event(EventType.MEETING_NO_SHOW, new, now, absent_ids=tuple(sorted(absent)))
    return Outcome(new, (event,))


def _how_it_went(
    meeting: Meeting, now: datetime, action: str, person_ids: Collection[str]
) -> tuple[datetime, frozenset[str]]:
    """What recording a held meeting or a no-show checks alike: it is still scheduled,
    it has started, and everyone named takes part in it."""
    now = require_utc(now, "now")
    _require_status(meeting, action)
    _require_started(meeting, now, action)
    named = frozenset(person_ids)
    for pid in named:
        meeting.require_participant(pid)
    return now, named


def _require_started(meeting: Meeting, now: datetime, action: str) -> None:
    if now < meeting.starts_at:
        raise IllegalTransition(f"a meeting cannot be {action} before it starts")


def _event(
    type_: str, meeting: Meeting, now: datetime, **extra: str | int | bool | None | tuple[str, ...]
) -> DomainEvent:
    data: dict[str, str | int | bool | None | tuple[str, ...]] = {
        "meeting_id": meeting.id,
        "relationship_id": meeting.relationship_id,
        "program_id": meeting.program_id,
        "organiser_id": meeting.organiser_id,
        "participant_ids": meeting.participant_ids,
        "series_id": meeting.series_id,
        "status": str(meeting.status),
        "starts_at": iso(meeting.starts_at),
        "ends_at": iso(meeting.ends_at),
        "time_zone": meeting.time_zone,
        "sequence": meeting.sequence,
        **extra,
    }
    return DomainEvent(type=type_, subject_id=meeting.id, occurred_at=now, data=data)
