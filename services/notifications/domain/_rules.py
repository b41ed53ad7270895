"""Building blocks shared by the planning rules: the clock, the policy, item factories."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from .model import (
    NotificationType,
    PayloadValue,
    Plan,
    PlannedNotification,
    SuppressionReason,
    Withdrawal,
)
from .policy import PlanningPolicy

__all__ = ["Rules", "withdraw"]


def withdraw(
    recipients: Iterable[str], types: Iterable[NotificationType], subject_id: str, reason: str
) -> tuple[Withdrawal, ...]:
    """One withdrawal per (recipient, type) for `subject_id`."""
    kinds = tuple(types)
    return tuple(Withdrawal(r, t, subject_id, reason) for r in recipients for t in kinds)


class Rules:
    """The policy and the injected `now` shared by the rules of one planning call."""

    def __init__(self, policy: PlanningPolicy, now: datetime) -> None:
        self.policy = policy
        self.now = now

    def item(
        self,
        recipient: str,
        type_: NotificationType,
        subject_id: str,
        due_at: datetime,
        payload: Mapping[str, PayloadValue],
        *,
        deadline: datetime | None = None,
        why: SuppressionReason = SuppressionReason.EXPIRED,
    ) -> PlannedNotification:
        """A planned notification whose mandatory flag comes from the program policy."""
        return PlannedNotification(
            recipient_id=recipient,
            type=type_,
            subject_id=subject_id,
            due_at=due_at,
            mandatory=self.policy.is_mandatory(type_),
            deadline=deadline,
            deadline_reason=why,
            payload=dict(payload),
        )

    def notice_to(
        self,
        recipient: str,
        type_: NotificationType,
        subject_id: str,
        occurred_at: datetime,
        payload: Mapping[str, PayloadValue],
    ) -> Plan:
        """An immediate notice to one person, due when the fact occurred (none when stale)."""
        if not self.notice_allowed(occurred_at, None):
            return Plan()
        return Plan((self.item(recipient, type_, subject_id, occurred_at, payload),))

    def notice_allowed(self, occurred_at: datetime, deadline: datetime | None) -> bool:
        """Immediate notices: not for stale replays, not once their deadline has passed."""
        if self.now - occurred_at > self.policy.max_notice_age:
            return False
        return deadline is None or deadline > self.now

    def timed_allowed(self, due_at: datetime, deadline: datetime | None) -> bool:
        """Timed items: never in the past, never at or after their own deadline."""
        return due_at >= self.now and (deadline is None or due_at < deadline)
