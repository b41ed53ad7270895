"""Properties that hold for any input: planning never schedules the past, resolution never
delivers inside quiet hours or after a deadline unless the rules say so."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.notifications.domain.model import NotificationType, SuppressionReason
from services.notifications.domain.planning import plan_notifications
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.quiet_hours import QuietHours
from services.notifications.domain.resolution import Deliver, Suppress, resolve_delivery

from .builders import planned, scheduled

T = NotificationType
BASE = datetime(2026, 3, 1, tzinfo=UTC)  # spans the EU and US spring-forward weeks
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "UTC"]
minutes = st.integers(min_value=0, max_value=60 * 24 * 60)


@settings(max_examples=150, deadline=None)
@given(start=minutes, duration=st.integers(15, 240), now=minutes, booked=minutes)
def test_planning_never_schedules_timed_items_in_the_past_or_after_their_deadline(
    start: int, duration: int, now: int, booked: int
) -> None:
    starts_at = BASE + timedelta(minutes=start)
    clock = BASE + timedelta(minutes=now)
    occurred_at = min(clock, BASE + timedelta(minutes=booked))
    fact = scheduled(starts_at, starts_at + timedelta(minutes=duration), occurred_at=occurred_at)

    plan = plan_notifications(fact, now=clock)

    if fact.ends_at <= clock:
        assert plan.notifications == ()
    for item in plan.notifications:
        if item.type in (T.MEETING_REMINDER, T.FEEDBACK_REQUEST):
            assert item.due_at >= clock
        if item.type is T.MEETING_REMINDER:
            assert item.due_at < starts_at
        assert item.deadline is None or item.deadline > clock
    assert len(set(plan.keys)) == len(plan.keys)


@settings(max_examples=300, deadline=None)
@given(
    due=minutes,
    now=minutes,
    deadline_after=st.one_of(st.none(), st.integers(min_value=1, max_value=60 * 30)),
    zone_name=st.sampled_from(ZONES),
    start=st.times(),
    end=st.times(),
    mandatory=st.booleans(),
)
def test_resolution_respects_now_deadlines_and_quiet_hours(
    due: int,
    now: int,
    deadline_after: int | None,
    zone_name: str,
    start: time,
    end: time,
    mandatory: bool,
) -> None:
    quiet = QuietHours(start, end) if start != end else None
    person = Preferences("p", time_zone=zone_name, quiet_hours=quiet)
    due_at = BASE + timedelta(minutes=due)
    clock = BASE + timedelta(minutes=now)
    deadline = due_at + timedelta(minutes=deadline_after) if deadline_after else None
    item = planned(due_at=due_at, deadline=deadline, mandatory=mandatory)

    decision = resolve_delivery(item, person, now=clock)

    if isinstance(decision, Deliver):
        assert decision.at >= max(clock, due_at)
        assert deadline is None or decision.at < deadline
        if quiet is not None and not decision.quiet_hours_overridden:
            assert not quiet.contains(decision.at, person.tz)
        assert not decision.quiet_hours_overridden or mandatory
    else:
        assert isinstance(decision, Suppress)
        assert decision.reason is not SuppressionReason.QUIET_HOURS_TOO_LATE or not mandatory
