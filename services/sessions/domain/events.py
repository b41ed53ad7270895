"""Domain events returned by transition functions, ready for the outbox.

Events carry opaque ids, states and codes only: never names, emails, note,
feedback or journal text. The adapters wrap them in the shared CloudEvents
envelope; `subject_id` is the aggregate id and therefore the Kafka message key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from .errors import InvalidInput

__all__ = [
    "EventValue",
    "DomainEvent",
    "Outcome",
    "EventType",
    "EVENT_FIELDS",
    "relationship_event",
]

EventValue = str | int | bool | None | tuple[str, ...]

T = TypeVar("T")


class EventType:
    """Every event type name this domain emits. Published names never change."""

    RELATIONSHIP_STARTED = "relationship.started"
    RELATIONSHIP_PAUSED = "relationship.paused"
    RELATIONSHIP_RESUMED = "relationship.resumed"
    RELATIONSHIP_ENDED = "relationship.ended"
    CLOSING_SURVEY_REQUESTED = "relationship.closing_survey_requested"
    MEETING_SCHEDULED = "meeting.scheduled"
    MEETING_RESCHEDULED = "meeting.rescheduled"
    MEETING_CANCELLED = "meeting.cancelled"
    MEETING_COMPLETED = "meeting.completed"
    MEETING_NO_SHOW = "meeting.no_show"
    SERIES_SCHEDULED = "meeting.series_scheduled"
    SERIES_CANCELLED = "meeting.series_cancelled"
    FEEDBACK_SUBMITTED = "feedback.submitted"
    TIME_LOGGED = "time.logged"
    GOAL_SET = "goal.set"
    GOAL_ACHIEVED = "goal.achieved"
    GOAL_DROPPED = "goal.dropped"
    ACTION_ITEM_CREATED = "action_item.created"
    ACTION_ITEM_COMPLETED = "action_item.completed"
    ACTION_ITEM_DROPPED = "action_item.dropped"
    ACTION_ITEM_OVERDUE = "action_item.overdue"
    JOURNAL_ENTRY_RECORDED = "journal.entry_recorded"
    HEALTH_CHANGED = "health.changed"
    SURVEY_ANSWERED = "survey.answered"
    PULSE_REQUESTED = "pulse.requested"
    PULSE_FLAGGED = "pulse.flagged"


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened; `data` holds ids, states, codes and timestamps (ISO 8601)."""

    type: str
    subject_id: str
    occurred_at: datetime
    data: Mapping[str, EventValue] = field(default_factory=dict, hash=False)
    version: int = 1  # bump (and add an upcaster in shared/) on a breaking payload change

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise InvalidInput("event time must be timezone-aware")


def relationship_event(
    type_: str, relationship_id: str, program_id: str, now: datetime, **data: EventValue
) -> DomainEvent:
    """An event about something in a relationship (a goal, an entry, logged time): the
    relationship is its subject, and its payload names the relationship and program."""
    payload = {"relationship_id": relationship_id, "program_id": program_id, **data}
    return DomainEvent(type=type_, subject_id=relationship_id, occurred_at=now, data=payload)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The result of a transition: the new state and the events that announce it."""

    state: T
    events: tuple[DomainEvent, ...] = ()


_MEETING = frozenset(
    {
        "meeting_id",
        "relationship_id",
        "program_id",
        "organiser_id",
        "participant_ids",
        "series_id",
        "status",
        "starts_at",
        "ends_at",
        "time_zone",
        "sequence",
    }
)
_GOAL = frozenset({"goal_id", "relationship_id", "program_id", "owner_id", "status"})
_ACTION_ITEM = frozenset(
    {
        "action_item_id",
        "relationship_id",
        "program_id",
        "owner_id",
        "meeting_id",
        "goal_id",
        "status",
        "due_on",
        "due_at",
    }
)
_REL = frozenset({"relationship_id", "program_id"})

EVENT_FIELDS: Mapping[str, frozenset[str]] = {
    EventType.RELATIONSHIP_STARTED: _REL
    | {"match_id", "kind", "member_ids", "started_on", "planned_end_on", "cadence_days"},
    EventType.RELATIONSHIP_PAUSED: _REL | {"reason"},
    EventType.RELATIONSHIP_RESUMED: _REL,
    EventType.RELATIONSHIP_ENDED: _REL
    | {"reason", "ended_by", "ended_on", "closing_survey_requested"},
    EventType.CLOSING_SURVEY_REQUESTED: _REL | {"member_ids"},
    EventType.MEETING_SCHEDULED: _MEETING,
    EventType.MEETING_RESCHEDULED: _MEETING | {"previous_starts_at", "rescheduled_by"},
    EventType.MEETING_CANCELLED: _MEETING | {"cancelled_by", "reason"},
    EventType.MEETING_COMPLETED: _MEETING | {"attended_ids"},
    EventType.MEETING_NO_SHOW: _MEETING | {"absent_ids"},
    EventType.SERIES_SCHEDULED: _REL
    | {
        "series_id",
        "organiser_id",
        "participant_ids",
        "time_zone",
        "interval_weeks",
        "first_starts_at",
        "until",
        "meeting_ids",
    },
    EventType.SERIES_CANCELLED: _REL | {"series_id", "cancelled_by", "reason", "meeting_ids"},
    EventType.FEEDBACK_SUBMITTED: _REL | {"meeting_id", "author_id", "all_submitted"},
    EventType.TIME_LOGGED: _REL | {"log_id", "person_id", "meeting_id", "minutes", "spent_on"},
    EventType.GOAL_SET: _GOAL,
    EventType.GOAL_ACHIEVED: _GOAL,
    EventType.GOAL_DROPPED: _GOAL,
    EventType.ACTION_ITEM_CREATED: _ACTION_ITEM,
    EventType.ACTION_ITEM_COMPLETED: _ACTION_ITEM,
    EventType.ACTION_ITEM_DROPPED: _ACTION_ITEM,
    EventType.ACTION_ITEM_OVERDUE: _ACTION_ITEM,
    EventType.JOURNAL_ENTRY_RECORDED: _REL | {"entry_id", "author_id", "written_on", "iso_week"},
    EventType.HEALTH_CHANGED: _REL | {"previous_state", "state", "reasons"},
    EventType.SURVEY_ANSWERED: _REL | {"person_id"},
    EventType.PULSE_REQUESTED: _REL | {"pulse_id", "person_id", "after_meeting"},
    EventType.PULSE_FLAGGED: _REL,
}
"""The payload keys of every event type (ids, codes, states, counts and ISO timestamps).

The shared contracts should mirror this; a unit test checks every emitted event."""
