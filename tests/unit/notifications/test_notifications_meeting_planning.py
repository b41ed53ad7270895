"""Specifications: meeting notices, reminders and feedback requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.domain.facts import MeetingScheduled
from services.notifications.domain.model import NotificationType, SequenceGuard, SuppressionReason
from services.notifications.domain.planning import plan_notifications
from services.notifications.domain.policy import PlanningPolicy
from shared.errors import InvalidInput

from .builders import END, MEMBERS, NOW, START, cancelled, of_type, rescheduled, scheduled

T = NotificationType


def test_scheduled_meeting_yields_reminders_24h_and_1h_before_start_for_each_member() -> None:
    plan = plan_notifications(scheduled(), now=NOW)

    for member in MEMBERS:
        reminders = of_type(plan, T.MEETING_REMINDER, member)
        assert [r.due_at for r in reminders] == [
            START - timedelta(hours=24),
            START - timedelta(hours=1),
        ]
        assert all(r.deadline == START for r in reminders)
        assert all(r.deadline_reason is SuppressionReason.MEETING_STARTED for r in reminders)


def test_scheduled_meeting_yields_one_feedback_request_after_the_end() -> None:
    plan = plan_notifications(scheduled(), now=NOW)

    for member in MEMBERS:
        [feedback] = of_type(plan, T.FEEDBACK_REQUEST, member)
        assert feedback.due_at == END + timedelta(minutes=30)


def test_scheduled_meeting_notifies_each_member_at_the_event_time() -> None:
    plan = plan_notifications(scheduled(), now=NOW + timedelta(minutes=2))

    notices = of_type(plan, T.MEETING_SCHEDULED)
    assert sorted(n.recipient_id for n in notices) == sorted(MEMBERS)
    assert all(n.due_at == NOW and n.deadline == END for n in notices)
    assert len(plan.notifications) == 2 * (1 + 2 + 1)


def test_reminder_offsets_are_configurable_per_program() -> None:
    policy = PlanningPolicy(meeting_reminder_offsets=(timedelta(minutes=15),))

    plan = plan_notifications(scheduled(), now=NOW, policy=policy)

    assert {r.due_at for r in of_type(plan, T.MEETING_REMINDER)} == {START - timedelta(minutes=15)}


def test_reminder_whose_instant_has_passed_is_skipped_but_later_ones_are_kept() -> None:
    now = START - timedelta(hours=3)

    plan = plan_notifications(scheduled(occurred_at=now), now=now)

    assert {r.due_at for r in of_type(plan, T.MEETING_REMINDER)} == {START - timedelta(hours=1)}


def test_nothing_is_planned_for_a_meeting_already_over() -> None:
    plan = plan_notifications(scheduled(), now=END + timedelta(minutes=1))

    assert plan.notifications == ()


def test_meeting_in_progress_gets_only_its_feedback_request() -> None:
    now = START + timedelta(minutes=10)

    plan = plan_notifications(scheduled(occurred_at=now), now=now)

    assert {n.type for n in plan.notifications} == {T.FEEDBACK_REQUEST}


def test_rescheduling_withdraws_old_items_and_plans_reminders_at_the_new_time() -> None:
    new_start = START + timedelta(days=2)

    plan = plan_notifications(rescheduled(new_start), now=NOW)

    withdrawn = {(w.recipient_id, w.type, w.subject_id) for w in plan.withdrawals}
    for member in MEMBERS:
        for type_ in (T.MEETING_REMINDER, T.FEEDBACK_REQUEST, T.MEETING_SCHEDULED):
            assert (member, type_, "meeting-1") in withdrawn
    assert {r.due_at for r in of_type(plan, T.MEETING_REMINDER)} == {
        new_start - timedelta(hours=24),
        new_start - timedelta(hours=1),
    }
    assert len(of_type(plan, T.MEETING_RESCHEDULED)) == len(MEMBERS)


def test_rescheduled_reminders_have_new_keys_and_the_old_stream_is_targeted() -> None:
    old = plan_notifications(scheduled(), now=NOW)
    new = plan_notifications(rescheduled(START + timedelta(hours=5)), now=NOW)

    old_reminders = of_type(old, T.MEETING_REMINDER)
    assert not set(old.keys) & set(new.keys)
    assert {r.stream for r in old_reminders} <= {w.stream for w in new.withdrawals}


def test_cancelling_withdraws_reminders_and_feedback_and_plans_a_cancellation_notice() -> None:
    plan = plan_notifications(cancelled(), now=NOW)

    withdrawn = {(w.recipient_id, w.type) for w in plan.withdrawals}
    for member in MEMBERS:
        assert (member, T.MEETING_REMINDER) in withdrawn
        assert (member, T.FEEDBACK_REQUEST) in withdrawn
    assert {n.type for n in plan.notifications} == {T.MEETING_CANCELLED}
    assert all(n.mandatory for n in plan.notifications)


def test_cancelling_a_meeting_already_over_only_withdraws() -> None:
    plan = plan_notifications(cancelled(occurred_at=END), now=END + timedelta(hours=1))

    assert plan.notifications == ()
    assert plan.withdrawals


def test_meeting_plans_carry_a_sequence_guard_against_stale_redelivery() -> None:
    plan = plan_notifications(rescheduled(START + timedelta(days=1), sequence=3), now=NOW)

    assert plan.guard == SequenceGuard("meeting-1", 3)
    assert plan.guard.admits(None) and plan.guard.admits(3)
    assert not plan.guard.admits(4)


def test_replayed_fact_older_than_the_notice_age_plans_no_immediate_notice() -> None:
    old_fact = scheduled(START + timedelta(days=10), occurred_at=NOW)

    plan = plan_notifications(old_fact, now=NOW + timedelta(days=3))

    assert of_type(plan, T.MEETING_SCHEDULED) == []
    assert of_type(plan, T.MEETING_REMINDER)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InvalidInput):
        scheduled(starts_at=datetime(2026, 3, 5, 14, 0))


def test_meeting_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput):
        MeetingScheduled("m", "r", MEMBERS, START, START, 0, NOW)


def test_duplicate_member_ids_get_one_set_of_notifications() -> None:
    fact = MeetingScheduled("meeting-1", "rel-1", ("a", "b", "a"), START, END, 0, NOW)

    plan = plan_notifications(fact, now=NOW)

    assert len(of_type(plan, T.MEETING_REMINDER, "a")) == 2


def test_timestamps_in_other_zones_are_normalised_to_utc() -> None:
    from zoneinfo import ZoneInfo

    berlin_start = START.astimezone(ZoneInfo("Europe/Berlin"))

    plan = plan_notifications(scheduled(berlin_start), now=NOW)

    assert all(n.due_at.tzinfo is UTC for n in plan.notifications)
    assert plan.keys == plan_notifications(scheduled(), now=NOW).keys


def test_reminder_offsets_are_elapsed_hours_even_across_a_dst_change() -> None:
    # 10:00 CEST on 29 March 2026, the morning after Berlin springs forward.
    start = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)

    plan = plan_notifications(scheduled(start), now=NOW)

    reminders = of_type(plan, T.MEETING_REMINDER, "mentee-1")
    day_before = min(r.due_at for r in reminders)
    assert start - day_before == timedelta(hours=24)  # 09:00 CET local, not 10:00
