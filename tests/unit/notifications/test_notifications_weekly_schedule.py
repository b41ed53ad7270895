"""Specifications: weekly schedules (journal prompt, admin digest) step by step."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from services.notifications.domain.policy import PlanningPolicy
from services.notifications.domain.schedule import WeeklySlot, weekly_step
from shared.errors import InvalidInput

FRIDAY_4PM = WeeklySlot(4, time(16, 0))
GRACE = timedelta(hours=12)
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_new_schedule_sends_nothing_and_waits_for_the_next_local_slot() -> None:
    # Friday 6 March 2026, 16:00 in New York (EST, UTC-5) is 21:00 UTC.
    step = weekly_step(FRIDAY_4PM, "America/New_York", due=None, now=MONDAY, grace=GRACE)

    assert step.send_at is None
    assert step.next_at == datetime(2026, 3, 6, 21, 0, tzinfo=UTC)


def test_a_slot_not_yet_reached_is_left_alone() -> None:
    due = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)

    step = weekly_step(FRIDAY_4PM, "UTC", due=due, now=MONDAY, grace=GRACE)

    assert (step.send_at, step.next_at) == (None, due)


def test_a_passed_slot_is_sent_and_the_next_one_is_a_week_later() -> None:
    due = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)

    step = weekly_step(FRIDAY_4PM, "UTC", due=due, now=due + timedelta(seconds=5), grace=GRACE)

    assert step.send_at == due
    assert step.next_at == due + timedelta(days=7)


def test_a_slot_missed_by_more_than_the_grace_is_skipped_not_sent_late() -> None:
    due = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    tuesday = due + timedelta(days=4)

    step = weekly_step(FRIDAY_4PM, "UTC", due=due, now=tuesday, grace=GRACE)

    assert step.send_at is None
    assert step.next_at == datetime(2026, 3, 13, 16, 0, tzinfo=UTC)


def test_the_next_slot_keeps_local_time_across_a_daylight_saving_change() -> None:
    # Berlin moves to summer time on Sunday 29 March 2026: 16:00 is 15:00 UTC before,
    # 14:00 UTC after.
    before = datetime(2026, 3, 27, 15, 0, tzinfo=UTC)

    step = weekly_step(FRIDAY_4PM, "Europe/Berlin", due=before, now=before, grace=GRACE)

    assert step.send_at == before
    assert step.next_at == datetime(2026, 4, 3, 14, 0, tzinfo=UTC)


def test_the_slots_follow_the_policy() -> None:
    policy = PlanningPolicy(journal_prompt_slot=WeeklySlot(0, time(16, 0)))

    step = weekly_step(
        policy.journal_prompt_slot, "UTC", due=None, now=MONDAY, grace=policy.periodic_grace
    )

    assert step.next_at == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    assert PlanningPolicy().admin_digest_slot == WeeklySlot(0, time(9, 0))


def test_an_impossible_weekday_is_refused() -> None:
    with pytest.raises(InvalidInput):
        WeeklySlot(7, time(9, 0))
