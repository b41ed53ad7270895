"""The vocabulary of the notifier: notification types, channels and the plan it produces.

A `Plan` is what planning returns for one incoming fact: notifications to queue and
withdrawals of previously queued ones. Both are plain values; the adapters persist
them in the due-queue. Payloads carry ids, codes and timestamps only (never names,
emails or free text); the adapters look up display data at render time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property

from shared.local_time import require_utc

from .dedupe import dedupe_key, stream_key

__all__ = [
    "NotificationType",
    "ONCE_PER_SUBJECT",
    "Channel",
    "SuppressionReason",
    "PayloadValue",
    "PlannedNotification",
    "Withdrawal",
    "SequenceGuard",
    "Plan",
]

PayloadValue = str | int | tuple[str, ...]


class NotificationType(StrEnum):
    """Every notification the platform sends. Published values never change."""

    MATCH_PROPOSED = "match_proposed"
    MATCH_EXPIRY_REMINDER = "match_expiry_reminder"
    MATCH_ACTIVATED = "match_activated"
    MEETING_SCHEDULED = "meeting_scheduled"
    MEETING_RESCHEDULED = "meeting_rescheduled"
    MEETING_CANCELLED = "meeting_cancelled"
    MEETING_REMINDER = "meeting_reminder"
    FEEDBACK_REQUEST = "feedback_request"
    RELATIONSHIP_AT_RISK = "relationship_at_risk"
    RELATIONSHIP_STALLED = "relationship_stalled"
    ACTION_ITEM_OVERDUE = "action_item_overdue"
    JOURNAL_PROMPT = "journal_prompt"
    ADMIN_DIGEST = "admin_digest"
    DAILY_DIGEST = "daily_digest"
    CLOSING_SURVEY_REQUEST = "closing_survey_request"
    MATCH_ENDED = "match_ended"
    MATCH_RESUMED = "match_resumed"
    NEXT_SUGGESTION = "next_suggestion"
    PULSE_CHECK_REQUEST = "pulse_check_request"
    CONCERN_REPORTED = "concern_reported"
    PULSE_FLAGGED = "pulse_flagged"


#: Types sent once per (recipient, subject) whatever the instant of the fact: their key
#: leaves the due time out, so a second request for the same subject is the same item.
ONCE_PER_SUBJECT: frozenset[NotificationType] = frozenset(
    {
        NotificationType.CLOSING_SURVEY_REQUEST,
        NotificationType.MATCH_ENDED,
        NotificationType.NEXT_SUGGESTION,
        NotificationType.PULSE_CHECK_REQUEST,
    }
)


class Channel(StrEnum):
    """Where a notification can be delivered."""

    EMAIL = "email"
    SLACK = "slack"
    TEAMS = "teams"
    WEBHOOK = "webhook"
    INBOX = "inbox"


class SuppressionReason(StrEnum):
    """Why a planned notification will not be delivered."""

    OPTED_OUT = "opted_out"
    NO_CHANNEL = "no_channel"
    QUIET_HOURS_TOO_LATE = "quiet_hours_too_late"
    MEETING_STARTED = "meeting_started"
    MEETING_OVER = "meeting_over"
    MATCH_EXPIRED = "match_expired"
    EXPIRED = "expired"
    RECIPIENT_INACTIVE = "recipient_inactive"


@dataclass(frozen=True)
class PlannedNotification:
    """One message to one person, due at a UTC instant.

    `deadline` is the instant after which the message is pointless (a meeting reminder
    after the meeting has started); `deadline_reason` is the suppression reason used
    when it passes. `key` is the de-duplication key, `stream` groups every item of one
    (recipient, type, subject) so a later fact can withdraw them.
    """

    recipient_id: str
    type: NotificationType
    subject_id: str
    due_at: datetime
    mandatory: bool = False
    deadline: datetime | None = None
    deadline_reason: SuppressionReason = SuppressionReason.EXPIRED
    payload: Mapping[str, PayloadValue] = field(default_factory=dict, hash=False, compare=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "due_at", require_utc(self.due_at, "due_at"))
        if self.deadline is not None:
            object.__setattr__(self, "deadline", require_utc(self.deadline, "deadline"))

    @cached_property
    def key(self) -> str:
        """Deterministic de-duplication key from (recipient, type, subject, due time).

        Cached: a hash the dispatcher asks for several times per item. A type sent once
        per subject (``ONCE_PER_SUBJECT``) leaves the due time out."""
        due = None if self.type in ONCE_PER_SUBJECT else self.due_at
        return dedupe_key(self.recipient_id, self.type, self.subject_id, due)

    @cached_property
    def stream(self) -> str:
        """Key shared by every item of this (recipient, type, subject)."""
        return stream_key(self.recipient_id, self.type, self.subject_id)


@dataclass(frozen=True)
class Withdrawal:
    """Cancel every still-pending item of one (recipient, type, subject) stream.

    Adapters apply a plan's withdrawals before its notifications, so a re-planned item
    with an unchanged key survives (or is simply re-inserted) while stale ones go.
    """

    recipient_id: str
    type: NotificationType
    subject_id: str
    reason: str

    @property
    def stream(self) -> str:
        """The `PlannedNotification.stream` this withdrawal targets."""
        return stream_key(self.recipient_id, self.type, self.subject_id)


@dataclass(frozen=True)
class SequenceGuard:
    """Apply the plan only if `sequence` >= the last sequence applied for `subject_id`.

    Guards against a late redelivery of an older fact (e.g. the original
    MeetingScheduled after a reschedule) re-planning stale reminders. An equal sequence
    is a replay and is safe: it yields identical keys.
    """

    subject_id: str
    sequence: int

    def admits(self, last_applied: int | None) -> bool:
        """True when a plan with this guard may be applied after `last_applied`."""
        return last_applied is None or self.sequence >= last_applied


@dataclass(frozen=True)
class Plan:
    """What to queue and what to withdraw in reaction to one fact."""

    notifications: tuple[PlannedNotification, ...] = ()
    withdrawals: tuple[Withdrawal, ...] = ()
    guard: SequenceGuard | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """The de-duplication keys of the planned notifications, in plan order."""
        return tuple(item.key for item in self.notifications)
