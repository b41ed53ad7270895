"""Planning: from an incoming fact to the notifications to queue and withdraw.

Rules (all instants UTC, `now` injected):

* Immediate notices (match proposed, meeting scheduled, ...) are due at the fact's
  `occurred_at`, so a replayed fact yields identical keys. A fact older than
  `policy.max_notice_age` plans no immediate notices (stale replay).
* Timed items (reminders, feedback requests) are planned only if their due instant is
  not in the past (`due_at >= now`). A reminder whose instant has passed is skipped even
  if the meeting has not started yet: the scheduling notice already told the members,
  and a "24 h before" reminder sent 3 h before would be misleading. Later reminders are
  still planned.
* Nothing is planned for a meeting that is already over; a meeting in progress gets
  only its feedback request.
* Every item carries a deadline (meeting start for reminders, meeting end for meeting
  notices, proposal expiry for match items) that `resolve_delivery` checks again.
* Rescheduling and cancelling withdraw every pending meeting item of every member, then
  plan the new state. Plans about a meeting carry a `SequenceGuard`.
* Adapters apply a plan's withdrawals first, then upsert its notifications by key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from shared.local_time import iso_seconds, require_utc

from ._rules import Rules, withdraw
from .facts import (
    ActionItemClosed,
    ActionItemOverdue,
    Fact,
    HealthChanged,
    MatchActivated,
    MatchClosed,
    MatchEnded,
    MatchProposed,
    MatchResponded,
    MatchResumed,
    MeetingCancelled,
    MeetingRescheduled,
    MeetingScheduled,
    NextSuggestion,
    PulseRequested,
    SurveyRequested,
)
from .lifecycle_planning import (
    MATCH_ITEM_TYPES,
    plan_match_ended,
    plan_match_resumed,
    plan_next_suggestion,
    plan_survey_requested,
)
from .meeting_planning import plan_meeting, plan_meeting_cancelled
from .model import NotificationType, PayloadValue, Plan, PlannedNotification, SuppressionReason
from .policy import PlanningPolicy
from .pulse_planning import plan_pulse_requested

__all__ = ["ASSIGNED", "plan_notifications", "plan_journal_prompt", "HEALTH_NUDGES"]

T = NotificationType

#: The ``reason_code`` of a match's introduction when its admins assigned it on publish.
ASSIGNED = "assigned"

# Health states that nudge the members, and the notification type used for each.
HEALTH_NUDGES: Mapping[str, NotificationType] = {
    "at_risk": T.RELATIONSHIP_AT_RISK,
    "stalled": T.RELATIONSHIP_STALLED,
}


def plan_notifications(fact: Fact, *, now: datetime, policy: PlanningPolicy | None = None) -> Plan:
    """Decide what to send, to whom and when, in reaction to one fact."""
    rules = Rules(policy or PlanningPolicy(), require_utc(now, "now"))
    try:
        rule = _RULES[type(fact)]
    except KeyError:  # pragma: no cover
        raise TypeError(f"no planning rule for {type(fact).__name__}") from None
    return rule(fact, rules)


def _match_responded(fact: MatchResponded, _rules: Rules) -> Plan:
    """An answer makes the member's own proposal items stale."""
    return _stale([fact.member_id], MATCH_ITEM_TYPES, fact.match_id, "match_responded")


def _match_closed(fact: MatchClosed, _rules: Rules) -> Plan:
    """Declined, expired or withdrawn: every member's proposal items are stale."""
    return _stale(fact.member_ids, MATCH_ITEM_TYPES, fact.match_id, f"match_{fact.outcome}")


def _action_item_closed(fact: ActionItemClosed, _rules: Rules) -> Plan:
    """Done or dropped: the owner's overdue notice is stale."""
    overdue = [T.ACTION_ITEM_OVERDUE]
    return _stale([fact.owner_id], overdue, fact.action_item_id, "action_item_closed")


def _stale(
    recipients: Iterable[str], types: Iterable[NotificationType], subject_id: str, reason: str
) -> Plan:
    """A plan that only withdraws what the fact made stale."""
    return Plan(withdrawals=withdraw(recipients, types, subject_id, reason))


def plan_journal_prompt(
    member_id: str, *, due_at: datetime, policy: PlanningPolicy | None = None
) -> PlannedNotification:
    """A member's weekly journal prompt for the slot `due_at` (from `weekly_step`).

    One per person, whatever number of relationships they are in: the journal is
    theirs. The key depends on the slot, so planning the same slot twice is a no-op.
    """
    rules = policy or PlanningPolicy()
    due = require_utc(due_at, "due_at")
    return PlannedNotification(
        recipient_id=member_id,
        type=T.JOURNAL_PROMPT,
        subject_id=member_id,
        due_at=due,
        mandatory=rules.is_mandatory(T.JOURNAL_PROMPT),
        deadline=due + timedelta(days=7),
    )


def _match_proposed(fact: MatchProposed, rules: Rules) -> Plan:
    """Ask each member now; remind them `match_expiry_reminder_lead` before expiry."""
    payload: dict[str, PayloadValue] = {
        "match_id": fact.match_id,
        "expires_at": iso_seconds(fact.expires_at),
    }
    expired = SuppressionReason.MATCH_EXPIRED
    reminder_at = fact.expires_at - rules.policy.match_expiry_reminder_lead
    remind = reminder_at > fact.occurred_at and rules.timed_allowed(reminder_at, fact.expires_at)
    items: list[PlannedNotification] = []
    for member in fact.member_ids:
        if rules.notice_allowed(fact.occurred_at, fact.expires_at):
            items.append(
                rules.item(
                    member,
                    T.MATCH_PROPOSED,
                    fact.match_id,
                    fact.occurred_at,
                    payload,
                    deadline=fact.expires_at,
                    why=expired,
                )
            )
        if remind:
            items.append(
                rules.item(
                    member,
                    T.MATCH_EXPIRY_REMINDER,
                    fact.match_id,
                    reminder_at,
                    payload,
                    deadline=fact.expires_at,
                    why=expired,
                )
            )
    return Plan(tuple(items))


def _match_activated(fact: MatchActivated, rules: Rules) -> Plan:
    """Introduce the members to each other; the proposal reminders are now pointless."""
    withdrawn = withdraw(fact.member_ids, MATCH_ITEM_TYPES, fact.match_id, "match_activated")
    if not rules.notice_allowed(fact.occurred_at, None):
        return Plan((), withdrawn)
    items = []
    for member in fact.member_ids:
        payload: dict[str, PayloadValue] = {
            "match_id": fact.match_id,
            "relationship_id": fact.relationship_id,
            "counterpart_ids": tuple(m for m in fact.member_ids if m != member),
            "explanation_codes": fact.explanation_codes,
        }
        if fact.assigned:  # nobody accepted: the message must not say they did
            payload["reason_code"] = ASSIGNED
        items.append(
            rules.item(member, T.MATCH_ACTIVATED, fact.relationship_id, fact.occurred_at, payload)
        )
    return Plan(tuple(items), withdrawn)


def _health_changed(fact: HealthChanged, rules: Rules) -> Plan:
    """Nudge members when a relationship turns at_risk or stalled; withdraw stale nudges."""
    if fact.state == fact.previous_state:
        return Plan()
    stale = [t for state, t in HEALTH_NUDGES.items() if state != fact.state]
    withdrawn = withdraw(fact.member_ids, stale, fact.relationship_id, f"health_{fact.state}")
    nudge = HEALTH_NUDGES.get(fact.state)
    if nudge is None or not rules.notice_allowed(fact.occurred_at, None):
        return Plan((), withdrawn)
    payload: dict[str, PayloadValue] = {
        "relationship_id": fact.relationship_id,
        "health_state": fact.state,
        "reason_codes": fact.reason_codes,
    }
    items = tuple(
        rules.item(m, nudge, fact.relationship_id, fact.occurred_at, payload)
        for m in fact.member_ids
    )
    return Plan(items, withdrawn)


def _action_item_overdue(fact: ActionItemOverdue, rules: Rules) -> Plan:
    """Tell the owner (only the owner) that their action item is overdue."""
    payload: dict[str, PayloadValue] = {
        "action_item_id": fact.action_item_id,
        "relationship_id": fact.relationship_id,
        "due_on": fact.due_on.isoformat(),
    }
    return rules.notice_to(
        fact.owner_id, T.ACTION_ITEM_OVERDUE, fact.action_item_id, fact.occurred_at, payload
    )


#: The planning rule of each kind of fact, by exact type (``MatchEnded`` extends
#: ``MatchClosed`` and has its own rule).
_RULES: Mapping[type, Callable[[Any, Rules], Plan]] = {
    MatchProposed: _match_proposed,
    MatchResponded: _match_responded,
    MatchClosed: _match_closed,
    MatchEnded: plan_match_ended,
    MatchResumed: plan_match_resumed,
    NextSuggestion: plan_next_suggestion,
    MatchActivated: _match_activated,
    MeetingScheduled: plan_meeting,
    MeetingRescheduled: plan_meeting,
    MeetingCancelled: plan_meeting_cancelled,
    HealthChanged: _health_changed,
    ActionItemOverdue: _action_item_overdue,
    ActionItemClosed: _action_item_closed,
    SurveyRequested: plan_survey_requested,
    PulseRequested: plan_pulse_requested,
}
