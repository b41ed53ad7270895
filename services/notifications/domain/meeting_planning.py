"""Planning rules for meetings: notices, reminders at configured offsets, feedback requests.

See `planning` for the general rules (past instants, deadlines, replays).
"""

from __future__ import annotations

from shared.local_time import iso_seconds

from ._rules import Rules, withdraw
from .facts import MeetingCancelled, MeetingRescheduled, MeetingScheduled
from .model import (
    NotificationType,
    PayloadValue,
    Plan,
    PlannedNotification,
    SequenceGuard,
    SuppressionReason,
    Withdrawal,
)

__all__ = ["MEETING_ITEM_TYPES", "plan_meeting", "plan_meeting_cancelled"]

T = NotificationType
R = SuppressionReason

# Everything pending about a meeting that a reschedule or cancellation makes stale.
MEETING_ITEM_TYPES = (
    T.MEETING_SCHEDULED,
    T.MEETING_RESCHEDULED,
    T.MEETING_REMINDER,
    T.FEEDBACK_REQUEST,
)


def _payload(
    fact: MeetingScheduled | MeetingRescheduled | MeetingCancelled,
) -> dict[str, PayloadValue]:
    return {
        "meeting_id": fact.meeting_id,
        "relationship_id": fact.relationship_id,
        "starts_at": iso_seconds(fact.starts_at),
        "ends_at": iso_seconds(fact.ends_at),
        "sequence": fact.sequence,
    }


def plan_meeting(fact: MeetingScheduled | MeetingRescheduled, rules: Rules) -> Plan:
    """Scheduling or rescheduling: a notice, the reminders and the feedback request."""
    guard = SequenceGuard(fact.meeting_id, fact.sequence)
    withdrawn: tuple[Withdrawal, ...] = ()
    notice_type = T.MEETING_SCHEDULED
    if isinstance(fact, MeetingRescheduled):
        withdrawn = withdraw(fact.member_ids, MEETING_ITEM_TYPES, fact.meeting_id, "rescheduled")
        notice_type = T.MEETING_RESCHEDULED
    if fact.ends_at <= rules.now:
        return Plan((), withdrawn, guard)

    payload = _payload(fact)
    feedback_at = fact.ends_at + rules.policy.feedback_delay
    feedback_deadline = fact.ends_at + rules.policy.feedback_window
    offsets = sorted(rules.policy.meeting_reminder_offsets, reverse=True)
    items: list[PlannedNotification] = []
    for member in fact.member_ids:
        if fact.starts_at > rules.now and rules.notice_allowed(fact.occurred_at, fact.ends_at):
            items.append(
                rules.item(
                    member,
                    notice_type,
                    fact.meeting_id,
                    fact.occurred_at,
                    payload,
                    deadline=fact.ends_at,
                    why=R.MEETING_OVER,
                )
            )
        for offset in offsets:
            due = fact.starts_at - offset
            if rules.timed_allowed(due, fact.starts_at):
                minutes = int(offset.total_seconds() // 60)
                items.append(
                    rules.item(
                        member,
                        T.MEETING_REMINDER,
                        fact.meeting_id,
                        due,
                        {**payload, "offset_minutes": minutes},
                        deadline=fact.starts_at,
                        why=R.MEETING_STARTED,
                    )
                )
        if rules.timed_allowed(feedback_at, feedback_deadline):
            items.append(
                rules.item(
                    member,
                    T.FEEDBACK_REQUEST,
                    fact.meeting_id,
                    feedback_at,
                    payload,
                    deadline=feedback_deadline,
                )
            )
    return Plan(tuple(items), withdrawn, guard)


def plan_meeting_cancelled(fact: MeetingCancelled, rules: Rules) -> Plan:
    """Cancellation: withdraw everything pending, notify members unless the slot is over."""
    withdrawn = withdraw(fact.member_ids, MEETING_ITEM_TYPES, fact.meeting_id, "cancelled")
    guard = SequenceGuard(fact.meeting_id, fact.sequence)
    if fact.ends_at <= rules.now or not rules.notice_allowed(fact.occurred_at, fact.ends_at):
        return Plan((), withdrawn, guard)
    payload = _payload(fact)
    items = tuple(
        rules.item(
            member,
            T.MEETING_CANCELLED,
            fact.meeting_id,
            fact.occurred_at,
            payload,
            deadline=fact.ends_at,
            why=R.MEETING_OVER,
        )
        for member in fact.member_ids
    )
    return Plan(items, withdrawn, guard)
