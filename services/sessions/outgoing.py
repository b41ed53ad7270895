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
from typing import Any

from services.sessions.domain.events import DomainEvent, EventType
from shared.contracts import sessions as c
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.registry import SESSIONS
from shared.mongo import Document
from shared.outbox import stage_event

_NAMESPACE = uuid.UUID("0b8f5d0c-3f5e-4c1e-9a4b-5a7c2f1d9e61")

#: What the journal event says about an entry's kind: nothing (the domain keeps it private).
JOURNAL_KIND_WITHHELD = "entry"


def _meeting(cls: type[EventData]) -> Callable[[Mapping[str, Any], Sequence[str]], EventData]:
    def build(d: Mapping[str, Any], _members: Sequence[str]) -> EventData:
        return cls(
            meeting_id=d["meeting_id"],
            relationship_id=d["relationship_id"],
            program_id=d["program_id"],
            member_ids=tuple(d["participant_ids"]),
            organiser_id=d["organiser_id"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            time_zone=d["time_zone"],
            sequence=d["sequence"],
        )

    return build


def _item(cls: type[EventData]) -> Callable[[Mapping[str, Any], Sequence[str]], EventData]:
    def build(d: Mapping[str, Any], _members: Sequence[str]) -> EventData:
        return cls(
            action_item_id=d["action_item_id"],
            relationship_id=d["relationship_id"],
            program_id=d["program_id"],
            owner_id=d["owner_id"],
            due_at=d["due_at"],
        )

    return build


def _goal(cls: type[EventData]) -> Callable[[Mapping[str, Any], Sequence[str]], EventData]:
    def build(d: Mapping[str, Any], _members: Sequence[str]) -> EventData:
        return cls(
            goal_id=d["goal_id"],
            relationship_id=d["relationship_id"],
            program_id=d["program_id"],
            owner_id=d["owner_id"],
            status=d["status"],
        )

    return build


_Builder = Callable[[Mapping[str, Any], Sequence[str]], EventData]

_BUILDERS: dict[str, _Builder] = {
    EventType.RELATIONSHIP_STARTED: lambda d, _m: c.RelationshipStarted(
        relationship_id=d["relationship_id"],
        match_id=d["match_id"],
        program_id=d["program_id"],
        member_ids=tuple(d["member_ids"]),
        starts_on=d["started_on"],
        planned_end=d["planned_end_on"],
        cadence_days=min(int(d["cadence_days"]), 365),
    ),
    EventType.RELATIONSHIP_PAUSED: lambda d, _m: c.RelationshipPaused(
        relationship_id=d["relationship_id"], program_id=d["program_id"], reason_code=d["reason"]
    ),
    EventType.RELATIONSHIP_RESUMED: lambda d, _m: c.RelationshipResumed(
        relationship_id=d["relationship_id"], program_id=d["program_id"]
    ),
    EventType.RELATIONSHIP_ENDED: lambda d, m: c.RelationshipEnded(
        relationship_id=d["relationship_id"],
        program_id=d["program_id"],
        member_ids=tuple(m),
        reason_code=d["reason"],
        ended_by=d["ended_by"],
    ),
    EventType.CLOSING_SURVEY_REQUESTED: lambda d, _m: c.ClosingSurveyRequested(
        relationship_id=d["relationship_id"],
        program_id=d["program_id"],
        member_ids=tuple(d["member_ids"]),
    ),
    EventType.MEETING_SCHEDULED: _meeting(c.MeetingScheduled),
    EventType.MEETING_RESCHEDULED: _meeting(c.MeetingRescheduled),
    EventType.MEETING_CANCELLED: _meeting(c.MeetingCancelled),
    EventType.MEETING_COMPLETED: _meeting(c.MeetingCompleted),
    EventType.MEETING_NO_SHOW: _meeting(c.MeetingNoShow),
    EventType.SERIES_SCHEDULED: lambda d, _m: c.SeriesScheduled(
        series_id=d["series_id"],
        relationship_id=d["relationship_id"],
        program_id=d["program_id"],
        organiser_id=d["organiser_id"],
        member_ids=tuple(d["participant_ids"]),
        time_zone=d["time_zone"],
        interval_weeks=d["interval_weeks"],
        first_starts_at=d["first_starts_at"],
        until=d["until"],
        meeting_ids=tuple(d["meeting_ids"]),
    ),
    EventType.SERIES_CANCELLED: lambda d, _m: c.SeriesCancelled(
        series_id=d["series_id"],
        relationship_id=d["relationship_id"],
        program_id=d["program_id"],
        cancelled_by=d["cancelled_by"],
        reason_code=d["reason"],
        meeting_ids=tuple(d["meeting_ids"]),
    ),
    EventType.FEEDBACK_SUBMITTED: lambda d, _m: c.FeedbackSubmitted(
        meeting_id=d["meeting_id"], relationship_id=d["relationship_id"], person_id=d["author_id"]
    ),
    EventType.TIME_LOGGED: lambda d, _m: c.TimeLogged(
        log_id=d["log_id"],
        relationship_id=d["relationship_id"],
        program_id=d["program_id"],
        person_id=d["person_id"],
        meeting_id=d["meeting_id"],
        minutes=d["minutes"],
        spent_on=d["spent_on"],
    ),
    EventType.GOAL_SET: _goal(c.GoalSet),
    EventType.GOAL_ACHIEVED: _goal(c.GoalAchieved),
    EventType.GOAL_DROPPED: _goal(c.GoalDropped),
    EventType.ACTION_ITEM_CREATED: _item(c.ActionItemCreated),
    EventType.ACTION_ITEM_COMPLETED: _item(c.ActionItemCompleted),
    EventType.ACTION_ITEM_DROPPED: _item(c.ActionItemDropped),
    EventType.ACTION_ITEM_OVERDUE: _item(c.ActionItemOverdue),
    EventType.JOURNAL_ENTRY_RECORDED: lambda d, _m: c.JournalEntryAdded(
        entry_id=d["entry_id"],
        person_id=d["author_id"],
        relationship_id=d["relationship_id"],
        kind=JOURNAL_KIND_WITHHELD,
    ),
    EventType.HEALTH_CHANGED: lambda d, m: c.HealthChanged(
        relationship_id=d["relationship_id"],
        program_id=d["program_id"],
        member_ids=tuple(m),
        state=d["state"],
        previous_state=d["previous_state"],
        reason_codes=tuple(d["reasons"]),
    ),
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


def stage(
    doc: Document,
    events: Iterable[DomainEvent],
    *,
    source: str,
    member_ids: Sequence[str] = (),
) -> Document:
    """``doc`` with every event queued in its outbox (``pending_events``)."""
    for event in events:
        doc = stage_event(
            doc, SESSIONS.name, to_envelope(event, source=source, member_ids=member_ids)
        )
    return doc
