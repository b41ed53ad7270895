"""The topic registry and the event-type registry: the one place names are defined.

A topic is versioned in its name (``mentoring.matches.v1``); its message key is the
aggregate id named in ``key``; every consumed topic has a dead-letter twin
``<name>.dlq``. An event type is registered once, with its version, on exactly one
topic; ``parse_event`` is how every consumer turns bytes into a validated contract.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from pydantic import ValidationError

from shared.contracts import chat, hr, matching, notifications, sessions
from shared.contracts.envelope import SCHEMA_PREFIX, Envelope, EventData

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    key: str
    events: tuple[type[EventData], ...]
    retention_ms: int = 7 * DAY_MS
    description: str = ""

    @property
    def dlq(self) -> str:
        return f"{self.name}.dlq"


HR_PEOPLE = Topic(
    "hr.people.v1",
    partitions=6,
    key="person_id",
    events=(hr.PersonUpserted, hr.PersonDeparted, hr.PersonErased),
    retention_ms=30 * DAY_MS,
    description="Inbound HR feed: people hired, changed, departed or erased.",
)
PROGRAMS = Topic(
    "mentoring.programs.v1",
    partitions=3,
    key="program_id",
    events=(
        matching.ProgramOpened,
        matching.ProgramUpdated,
        matching.ProgramClosed,
        matching.ConcernReported,
    ),
    description="Programs opened, changed and closed; concerns reported to their admins.",
)
ENROLLMENTS = Topic(
    "mentoring.enrollments.v1",
    partitions=6,
    key="enrollment_id",
    events=(matching.EnrollmentCreated, matching.EnrollmentWithdrawn),
    description="People enrolling in and withdrawing from programs.",
)
MATCHES = Topic(
    "mentoring.matches.v1",
    partitions=6,
    key="match_id",
    events=(
        matching.MatchProposed,
        matching.MatchAccepted,
        matching.MatchDeclined,
        matching.MatchActivated,
        matching.MatchFlagged,
        matching.MatchEnded,
        matching.MatchResumed,
        matching.MatchSuggested,
    ),
    description=(
        "Match lifecycle: proposed, accepted, declined, activated, flagged, resumed, ended; "
        "the next suggestion after a self-match request fails."
    ),
)
SESSIONS = Topic(
    "sessions.v1",
    partitions=6,
    key="relationship_id",
    events=(
        sessions.RelationshipStarted,
        sessions.RelationshipPaused,
        sessions.RelationshipEnded,
        sessions.MeetingScheduled,
        sessions.MeetingRescheduled,
        sessions.MeetingCancelled,
        sessions.MeetingCompleted,
        sessions.MeetingNoShow,
        sessions.FeedbackSubmitted,
        sessions.ActionItemCreated,
        sessions.ActionItemCompleted,
        sessions.ActionItemOverdue,
        sessions.JournalEntryAdded,
        sessions.HealthChanged,
        sessions.RelationshipResumed,
        sessions.ClosingSurveyRequested,
        sessions.SurveyAnswered,
        sessions.SeriesScheduled,
        sessions.SeriesCancelled,
        sessions.TimeLogged,
        sessions.GoalSet,
        sessions.GoalAchieved,
        sessions.GoalDropped,
        sessions.ActionItemDropped,
        sessions.PulseRequested,
        sessions.PulseFlagged,
    ),
    description="Relationships, meetings, feedback, commitments, journal, health.",
)
DELIVERIES = Topic(
    "notifications.deliveries.v1",
    partitions=3,
    key="delivery_id",
    events=(
        notifications.DeliverySent,
        notifications.DeliveryFailed,
        notifications.DeliverySuppressed,
    ),
    description="Delivery outcomes: sent, failed, suppressed (with reason).",
)

CHAT_ACTIONS = Topic(
    "chat.actions.v1",
    partitions=3,
    key="person_id",
    events=(chat.ChatActionRequested,),
    description=(
        "Actions people took in Slack or Teams (accept or decline a match, confirm a "
        "meeting, log a small win), verified by the notifier, applied by the owning service."
    ),
)

TOPICS: dict[str, Topic] = {
    t.name: t
    for t in (HR_PEOPLE, PROGRAMS, ENROLLMENTS, MATCHES, SESSIONS, DELIVERIES, CHAT_ACTIONS)
}

#: ``dataschema`` URI -> contract model, for every registered event version.
EVENT_MODELS: dict[str, type[EventData]] = {
    model.schema_uri(): model for topic in TOPICS.values() for model in topic.events
}

#: Upcasters keyed by an old ``dataschema`` URI: they return (new URI, new data).
Upcaster = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]
UPCASTERS: dict[str, Upcaster] = {}


class ContractViolation(Exception):
    """A message that no registered contract accepts; it belongs in the dead-letter topic."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ParsedEvent:
    envelope: Envelope
    data: EventData

    @property
    def as_of(self) -> str:
        """When the event happened, as text that sorts in time order (UTC, to the
        microsecond): what a newest-wins projection keeps to refuse an older event."""
        return self.envelope.time.astimezone(UTC).isoformat(timespec="microseconds")


def topic_for(model: type[EventData]) -> Topic:
    for topic in TOPICS.values():
        if model in topic.events:
            return topic
    raise KeyError(f"{model.__name__} is on no registered topic")


def parse_event(topic: str, raw: bytes | None) -> ParsedEvent:
    """Validate ``raw`` as an envelope whose payload is a contract registered on ``topic``."""
    if not raw:
        raise ContractViolation("empty_message")
    try:
        envelope = Envelope.from_bytes(raw)
    except ValidationError as exc:
        raise ContractViolation("invalid_envelope", _short(exc)) from exc
    schema, data = envelope.dataschema, envelope.data
    while schema in UPCASTERS:
        schema, data = UPCASTERS[schema](data)
    model = EVENT_MODELS.get(schema)
    if model is None:
        raise ContractViolation("unknown_schema", schema)
    if model.event_type != envelope.type:
        raise ContractViolation("type_mismatch", f"{envelope.type} vs {schema}")
    registered = TOPICS.get(topic)
    if registered is None or model not in registered.events:
        raise ContractViolation("wrong_topic", f"{schema} on {topic}")
    try:
        payload = model.model_validate(_known_fields(model, data))
    except ValidationError as exc:
        raise ContractViolation("invalid_data", _short(exc)) from exc
    return ParsedEvent(envelope=envelope, data=payload)


def _known_fields(model: type[EventData], data: dict[str, Any]) -> dict[str, Any]:
    """Tolerant reader: fields added to a contract later (additive changes keep the
    version) are ignored by consumers that do not know them yet, so a rolling deploy
    never dead-letters a newer producer's events."""
    known = _field_names(model)
    return {k: v for k, v in data.items() if k in known}


@functools.cache
def _field_names(model: type[EventData]) -> frozenset[str]:
    """Per contract, once: ``model_fields`` is a descriptor that builds its answer on
    every access (5% of a saturated matcher worker, once per field of every event)."""
    return frozenset(model.model_fields)


def _short(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
        for err in exc.errors()[:5]
    )


__all__ = [
    "CHAT_ACTIONS",
    "DELIVERIES",
    "ENROLLMENTS",
    "EVENT_MODELS",
    "HR_PEOPLE",
    "MATCHES",
    "PROGRAMS",
    "SCHEMA_PREFIX",
    "SESSIONS",
    "TOPICS",
    "UPCASTERS",
    "ContractViolation",
    "ParsedEvent",
    "Topic",
    "parse_event",
    "topic_for",
]
