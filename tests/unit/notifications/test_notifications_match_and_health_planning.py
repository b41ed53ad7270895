"""Specifications: match proposals, introductions, health nudges, overdue items, journal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.notifications.domain.facts import (
    ActionItemClosed,
    ActionItemOverdue,
    HealthChanged,
    MatchActivated,
    MatchClosed,
    MatchProposed,
    MatchResponded,
)
from services.notifications.domain.model import NotificationType, SuppressionReason
from services.notifications.domain.planning import ASSIGNED, plan_journal_prompt, plan_notifications

from .builders import NOW, of_type

T = NotificationType
EXPIRES = NOW + timedelta(days=3)


def proposal(expires_at: datetime = EXPIRES) -> MatchProposed:
    return MatchProposed("match-1", ("mentor-1", "mentee-1"), expires_at, NOW)


def test_match_proposal_asks_each_member_now_and_reminds_them_24h_before_expiry() -> None:
    plan = plan_notifications(proposal(), now=NOW)

    for member in ("mentor-1", "mentee-1"):
        [ask] = of_type(plan, T.MATCH_PROPOSED, member)
        [reminder] = of_type(plan, T.MATCH_EXPIRY_REMINDER, member)
        assert ask.due_at == NOW and ask.mandatory
        assert reminder.due_at == EXPIRES - timedelta(hours=24)
        assert reminder.deadline == EXPIRES
        assert reminder.deadline_reason is SuppressionReason.MATCH_EXPIRED


def test_proposal_shorter_than_the_reminder_lead_gets_no_expiry_reminder() -> None:
    plan = plan_notifications(proposal(NOW + timedelta(hours=12)), now=NOW)

    assert of_type(plan, T.MATCH_EXPIRY_REMINDER) == []
    assert len(of_type(plan, T.MATCH_PROPOSED)) == 2


def test_already_expired_proposal_plans_nothing() -> None:
    assert plan_notifications(proposal(NOW - timedelta(minutes=1)), now=NOW).notifications == ()


def test_member_who_responds_has_their_pending_reminder_withdrawn() -> None:
    plan = plan_notifications(MatchResponded("match-1", "mentee-1", NOW), now=NOW)

    assert {(w.recipient_id, w.type) for w in plan.withdrawals} == {
        ("mentee-1", T.MATCH_PROPOSED),
        ("mentee-1", T.MATCH_EXPIRY_REMINDER),
    }


def test_declined_match_withdraws_everyones_reminders() -> None:
    plan = plan_notifications(MatchClosed("match-1", ("a", "b"), "declined", NOW), now=NOW)

    assert {w.recipient_id for w in plan.withdrawals} == {"a", "b"}
    assert plan.notifications == ()


def test_activated_match_introduces_each_member_to_the_other_with_the_explanation() -> None:
    fact = MatchActivated(
        "match-1",
        "rel-1",
        ("mentor-1", "mentee-1"),
        NOW,
        explanation_codes=("shared_goal", "skills_overlap"),
    )

    plan = plan_notifications(fact, now=NOW)

    [intro] = of_type(plan, T.MATCH_ACTIVATED, "mentee-1")
    assert intro.payload["counterpart_ids"] == ("mentor-1",)
    assert intro.payload["explanation_codes"] == ("shared_goal", "skills_overlap")
    assert {w.type for w in plan.withdrawals} == {T.MATCH_PROPOSED, T.MATCH_EXPIRY_REMINDER}
    assert "reason_code" not in intro.payload  # they accepted: the message says so


def test_an_assigned_match_introduces_both_members_as_assigned() -> None:
    fact = MatchActivated("match-1", "rel-1", ("mentor-1", "mentee-1"), NOW, assigned=True)

    plan = plan_notifications(fact, now=NOW)

    intros = of_type(plan, T.MATCH_ACTIVATED)
    assert sorted(i.recipient_id for i in intros) == ["mentee-1", "mentor-1"]
    assert [i.payload["reason_code"] for i in intros] == [ASSIGNED, ASSIGNED]


def test_relationship_turning_at_risk_nudges_both_members() -> None:
    fact = HealthChanged("rel-1", ("a", "b"), "healthy", "at_risk", NOW)

    plan = plan_notifications(fact, now=NOW)

    assert {(n.recipient_id, n.type) for n in plan.notifications} == {
        ("a", T.RELATIONSHIP_AT_RISK),
        ("b", T.RELATIONSHIP_AT_RISK),
    }


def test_relationship_turning_stalled_nudges_and_withdraws_the_pending_at_risk_nudge() -> None:
    plan = plan_notifications(HealthChanged("rel-1", ("a",), "at_risk", "stalled", NOW), now=NOW)

    assert [n.type for n in plan.notifications] == [T.RELATIONSHIP_STALLED]
    assert [w.type for w in plan.withdrawals] == [T.RELATIONSHIP_AT_RISK]


def test_recovered_relationship_withdraws_pending_nudges_and_sends_nothing() -> None:
    plan = plan_notifications(HealthChanged("rel-1", ("a",), "stalled", "healthy", NOW), now=NOW)

    assert plan.notifications == ()
    assert {w.type for w in plan.withdrawals} == {T.RELATIONSHIP_AT_RISK, T.RELATIONSHIP_STALLED}


def test_overdue_action_item_notifies_its_owner_only() -> None:
    fact = ActionItemOverdue("item-1", "rel-1", "mentee-1", date(2026, 3, 1), NOW)

    [notice] = plan_notifications(fact, now=NOW).notifications

    assert notice.recipient_id == "mentee-1" and notice.type is T.ACTION_ITEM_OVERDUE
    assert notice.payload["due_on"] == "2026-03-01"


def test_closing_an_action_item_withdraws_its_overdue_notice() -> None:
    plan = plan_notifications(ActionItemClosed("item-1", "mentee-1", NOW), now=NOW)

    assert [(w.recipient_id, w.type, w.subject_id) for w in plan.withdrawals] == [
        ("mentee-1", T.ACTION_ITEM_OVERDUE, "item-1")
    ]


def test_journal_prompt_is_one_per_person_keyed_by_its_slot() -> None:
    slot = datetime(2026, 3, 6, 21, 0, tzinfo=UTC)

    prompt = plan_journal_prompt("mentee-1", due_at=slot)

    assert (prompt.recipient_id, prompt.type, prompt.subject_id) == (
        "mentee-1",
        T.JOURNAL_PROMPT,
        "mentee-1",
    )
    assert prompt.due_at == slot and prompt.deadline == slot + timedelta(days=7)
    assert prompt.key == plan_journal_prompt("mentee-1", due_at=slot).key
    assert prompt.key != plan_journal_prompt("mentee-1", due_at=slot + timedelta(days=7)).key
