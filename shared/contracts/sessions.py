"""Events of the sessions service on ``sessions.v1`` (key: relationship id; ids only)."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import EventData

Id = str


class RelationshipStarted(EventData):
    event_type = "sessions.relationship.started"

    relationship_id: Id
    match_id: Id
    program_id: Id
    member_ids: tuple[Id, ...] = Field(min_length=2)
    starts_on: date
    planned_end: date | None = None
    cadence_days: int = Field(ge=1, le=365)


class RelationshipPaused(EventData):
    event_type = "sessions.relationship.paused"

    relationship_id: Id
    program_id: Id
    reason_code: str


class RelationshipEnded(EventData):
    event_type = "sessions.relationship.ended"

    relationship_id: Id
    program_id: Id
    member_ids: tuple[Id, ...] = ()
    reason_code: str
    ended_by: Id | None = None


class _MeetingFacts(EventData):
    meeting_id: Id
    relationship_id: Id
    program_id: Id
    member_ids: tuple[Id, ...] = Field(min_length=1)
    organiser_id: Id
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    time_zone: str
    sequence: int = Field(ge=0)


class MeetingScheduled(_MeetingFacts):
    event_type = "sessions.meeting.scheduled"


class MeetingRescheduled(_MeetingFacts):
    event_type = "sessions.meeting.rescheduled"


class MeetingCancelled(_MeetingFacts):
    event_type = "sessions.meeting.cancelled"


class MeetingCompleted(_MeetingFacts):
    event_type = "sessions.meeting.completed"


class MeetingNoShow(_MeetingFacts):
    event_type = "sessions.meeting.no_show"


class FeedbackSubmitted(EventData):
    event_type = "sessions.feedback.submitted"

    meeting_id: Id
    relationship_id: Id
    person_id: Id


class _ActionItemFacts(EventData):
    action_item_id: Id
    relationship_id: Id
    program_id: Id
    owner_id: Id
    due_at: AwareDatetime | None = None


class ActionItemCreated(_ActionItemFacts):
    event_type = "sessions.action_item.created"


class ActionItemCompleted(_ActionItemFacts):
    event_type = "sessions.action_item.completed"


class ActionItemOverdue(_ActionItemFacts):
    event_type = "sessions.action_item.overdue"


class JournalEntryAdded(EventData):
    """A journal entry exists; its text never leaves the sessions service."""

    event_type = "sessions.journal.entry_added"

    entry_id: Id
    person_id: Id
    relationship_id: Id | None = None
    kind: str


class HealthChanged(EventData):
    event_type = "sessions.health.changed"

    relationship_id: Id
    program_id: Id
    member_ids: tuple[Id, ...] = ()
    state: str
    previous_state: str | None = None
    reason_codes: tuple[str, ...] = ()
