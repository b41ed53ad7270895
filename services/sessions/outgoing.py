"""The one adapter from domain events to the published ``sessions.v1`` contracts.

Every domain event type maps to exactly one contract class. The envelope subject
(the Kafka key) is the relationship id, so one relationship's events stay in order.
Envelope ids are derived from the event itself (type, subject, time, payload), so
re-applying the same input (a replayed match event) stages the same id and
consumers de-duplicate it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from services.sessions.domain.events import DomainEvent, EventType
from shared.contracts import sessions as c
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.registry import SESSIONS, Topic
from shared.mongo import Document

_NAMESPACE = uuid.UUID("0b8f5d0c-3f5e-4c1e-9a4b-5a7c2f1d9e61")

#: What the journal event says about an entry's kind: nothing (the domain keeps it private).
JOURNAL_KIND_WITHHELD = "entry"


_Value = Callable[[Mapping[str, Any], Sequence[str]], Any]
_Builder = Callable[[Mapping[str, Any], Sequence[str]], EventData]


def _copy(cls: type[EventData], **renamed: str | _Value) -> _Builder:
    """The contract ``cls`` filled field by field from the domain payload: its field of
    the same name, or the one ``renamed`` names (or a function of payload and members)."""

    def build(d: Mapping[str, Any], members: Sequence[str]) -> EventData:
        values = {}
        for name in cls.model_fields:
            how = renamed.get(name, name)
            values[name] = how(d, members) if callable(how) else d[how]
        return cls(**values)

    return build


def _members(_d: Mapping[str, Any], members: Sequence[str]) -> tuple[str, ...]:
    return tuple(members)


_MEETING = {"member_ids": "participant_ids"}

_BUILDERS: dict[str, _Builder] = {
    EventType.RELATIONSHIP_STARTED: _copy(
        c.RelationshipStarted,
        starts_on="started_on",
        planned_end="planned_end_on",
        cadence_days=lambda d, _m: min(int(d["cadence_days"]), 365),
    ),
    EventType.RELATIONSHIP_PAUSED: _copy(c.RelationshipPaused, reason_code="reason"),
    EventType.RELATIONSHIP_RESUMED: _copy(c.RelationshipResumed),
    EventType.RELATIONSHIP_ENDED: _copy(
        c.RelationshipEnded, member_ids=_members, reason_code="reason"
    ),
    EventType.CLOSING_SURVEY_REQUESTED: _copy(c.ClosingSurveyRequested),
    EventType.MEETING_SCHEDULED: _copy(c.MeetingScheduled, **_MEETING),
    EventType.MEETING_RESCHEDULED: _copy(c.MeetingRescheduled, **_MEETING),
    EventType.MEETING_CANCELLED: _copy(c.MeetingCancelled, **_MEETING),
    EventType.MEETING_COMPLETED: _copy(c.MeetingCompleted, **_MEETING),
    EventType.MEETING_NO_SHOW: _copy(c.MeetingNoShow, **_MEETING),
    EventType.SERIES_SCHEDULED: _copy(c.SeriesScheduled, **_MEETING),
    EventType.SERIES_CANCELLED: _copy(c.SeriesCancelled, reason_code="reason"),
    EventType.FEEDBACK_SUBMITTED: _copy(c.FeedbackSubmitted, person_id="author_id"),
    EventType.TIME_LOGGED: _copy(c.TimeLogged),
    EventType.GOAL_SET: _copy(c.GoalSet),
    EventType.GOAL_ACHIEVED: _copy(c.GoalAchieved),
    EventType.GOAL_DROPPED: _copy(c.GoalDropped),
    EventType.ACTION_ITEM_CREATED: _copy(c.ActionItemCreated),
    EventType.ACTION_ITEM_COMPLETED: _copy(c.ActionItemCompleted),
    EventType.ACTION_ITEM_DROPPED: _copy(c.ActionItemDropped),
    EventType.ACTION_ITEM_OVERDUE: _copy(c.ActionItemOverdue),
    EventType.JOURNAL_ENTRY_RECORDED: _copy(
        c.JournalEntryAdded, person_id="author_id", kind=lambda _d, _m: JOURNAL_KIND_WITHHELD
    ),
    EventType.HEALTH_CHANGED: _copy(c.HealthChanged, member_ids=_members, reason_codes="reasons"),
    EventType.SURVEY_ANSWERED: _copy(c.SurveyAnswered),
    EventType.PULSE_REQUESTED: _copy(c.PulseRequested),
    EventType.PULSE_FLAGGED: _copy(c.PulseFlagged),
}


def to_contract(event: DomainEvent, *, member_ids: Sequence[str] = ()) -> EventData:
    """The ``sessions.v1`` payload announcing ``event`` (``member_ids`` fills events
    whose domain payload does not name the members)."""
    return _BUILDERS[event.type](event.data, member_ids)


def event_id(event: DomainEvent) -> str:
    """Deterministic: the same fact staged twice gets the same envelope id."""
    payload = sorted((k, repr(v)) for k, v in event.data.items())
    seed = f"{event.type}|{event.subject_id}|{event.occurred_at.isoformat()}|{payload}"
    return str(uuid.uuid5(_NAMESPACE, seed))


def to_envelope(event: DomainEvent, *, source: str, member_ids: Sequence[str] = ()) -> Envelope:
    data = to_contract(event, member_ids=member_ids)
    return Envelope.wrap(
        data,
        source=source,
        subject=str(event.data["relationship_id"]),
        event_id=event_id(event),
        time=event.occurred_at,
    )


class _Staging(Protocol):
    source: str

    def stage_envelope(self, doc: Document, topic: Topic, envelope: Envelope) -> Document: ...


def stage(
    uow: _Staging, doc: Document, events: Iterable[DomainEvent], *, member_ids: Sequence[str] = ()
) -> Document:
    """``doc`` with every event queued in its outbox (``pending_events``), as events of
    the unit of work's source at the time each happened."""
    for event in events:
        envelope = to_envelope(event, source=uow.source, member_ids=member_ids)
        doc = uow.stage_envelope(doc, SESSIONS, envelope)
    return doc
