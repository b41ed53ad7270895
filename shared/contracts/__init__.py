"""Event contracts: the envelope, the payload models and the topic registry."""

from shared.contracts.envelope import CONTENT_TYPE, Envelope, EventData
from shared.contracts.registry import (
    DELIVERIES,
    ENROLLMENTS,
    EVENT_MODELS,
    HR_PEOPLE,
    MATCHES,
    PROGRAMS,
    SESSIONS,
    TOPICS,
    ContractViolation,
    ParsedEvent,
    Topic,
    parse_event,
    topic_for,
)

__all__ = [
    "CONTENT_TYPE",
    "DELIVERIES",
    "ENROLLMENTS",
    "EVENT_MODELS",
    "HR_PEOPLE",
    "MATCHES",
    "PROGRAMS",
    "SESSIONS",
    "TOPICS",
    "ContractViolation",
    "Envelope",
    "EventData",
    "ParsedEvent",
    "Topic",
    "parse_event",
    "topic_for",
]
