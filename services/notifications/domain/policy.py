"""Program-level rules for planning: offsets, delays and which types are mandatory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from shared.errors import InvalidInput

from .model import NotificationType
from .schedule import WeeklySlot

__all__ = ["PlanningPolicy", "DEFAULT_MANDATORY_TYPES", "URGENT_TYPES"]

DEFAULT_MANDATORY_TYPES: frozenset[NotificationType] = frozenset(
    {
        NotificationType.MATCH_PROPOSED,
        NotificationType.MEETING_RESCHEDULED,
        NotificationType.MEETING_CANCELLED,
        NotificationType.CONCERN_REPORTED,
        NotificationType.PULSE_FLAGGED,
    }
)

# Types that are never batched into a personal daily digest: they are time-bound, or
# (the closing survey) a request that must stand on its own in the inbox with its link.
URGENT_TYPES: frozenset[NotificationType] = frozenset(
    {
        NotificationType.MATCH_PROPOSED,
        NotificationType.MATCH_EXPIRY_REMINDER,
        NotificationType.MATCH_ACTIVATED,
        NotificationType.MEETING_SCHEDULED,
        NotificationType.MEETING_RESCHEDULED,
        NotificationType.MEETING_CANCELLED,
        NotificationType.MEETING_REMINDER,
        NotificationType.ADMIN_DIGEST,
        NotificationType.DAILY_DIGEST,
        NotificationType.CLOSING_SURVEY_REQUEST,
        NotificationType.PULSE_CHECK_REQUEST,
        NotificationType.CONCERN_REPORTED,
        NotificationType.PULSE_FLAGGED,
    }
)


@dataclass(frozen=True)
class PlanningPolicy:
    """Timing rules a program can tune; the defaults follow the product issue.

    `max_notice_age` stops a replay of an old topic from sending stale immediate
    notices: a fact older than that (relative to `now`) plans timed items only.
    The weekly slots are local times in the recipient's zone; a slot missed by more
    than `periodic_grace` is skipped (see `weekly_step`).
    """

    meeting_reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    feedback_delay: timedelta = timedelta(minutes=30)
    feedback_window: timedelta = timedelta(days=7)
    match_expiry_reminder_lead: timedelta = timedelta(hours=24)
    max_notice_age: timedelta = timedelta(days=2)
    journal_prompt_slot: WeeklySlot = WeeklySlot(4, time(16, 0))  # Friday afternoon
    admin_digest_slot: WeeklySlot = WeeklySlot(0, time(9, 0))  # Monday morning
    periodic_grace: timedelta = timedelta(hours=12)
    mandatory_types: frozenset[NotificationType] = field(
        default_factory=lambda: DEFAULT_MANDATORY_TYPES
    )

    def __post_init__(self) -> None:
        if any(offset <= timedelta(0) for offset in self.meeting_reminder_offsets):
            raise InvalidInput("meeting reminder offsets must be positive")
        if len(set(self.meeting_reminder_offsets)) != len(self.meeting_reminder_offsets):
            raise InvalidInput("meeting reminder offsets must be distinct")
        if self.feedback_delay < timedelta(0) or self.feedback_window <= timedelta(0):
            raise InvalidInput("feedback delay must be >= 0 and its window > 0")
        if self.match_expiry_reminder_lead <= timedelta(0):
            raise InvalidInput("match expiry reminder lead must be positive")
        if self.periodic_grace < timedelta(0):
            raise InvalidInput("periodic grace must be >= 0")

    def is_mandatory(self, type_: NotificationType) -> bool:
        """True when members cannot opt out of `type_` in this program."""
        return type_ in self.mandatory_types
