"""Specifications: from a planned notification and preferences to a delivery decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from services.notifications.domain.model import Channel, NotificationType, SuppressionReason
from services.notifications.domain.planning import plan_notifications
from services.notifications.domain.preferences import MANDATORY_FALLBACK_CHANNELS, Preferences
from services.notifications.domain.quiet_hours import QuietHours
from services.notifications.domain.resolution import (
    AddToDigest,
    Deliver,
    Suppress,
    resolve_delivery,
)

from .builders import planned, scheduled

T = NotificationType
R = SuppressionReason
NIGHT = QuietHours(time(22, 0), time(7, 0))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def prefs(**overrides: object) -> Preferences:
    values: dict[str, object] = {"person_id": "mentee-1", "time_zone": "Europe/Berlin"}
    values.update(overrides)
    return Preferences(**values)  # type: ignore[arg-type]


DAY = utc(2026, 1, 12, 10, 0)  # 11:00 in Berlin


def test_notification_outside_quiet_hours_is_delivered_at_its_due_time() -> None:
    decision = resolve_delivery(planned(due_at=DAY), prefs(quiet_hours=NIGHT), now=DAY)

    assert decision == Deliver(DAY, (Channel.EMAIL, Channel.INBOX))


def test_notification_resolved_late_is_delivered_now() -> None:
    later = DAY + timedelta(minutes=5)

    decision = resolve_delivery(planned(due_at=DAY), prefs(), now=later)

    assert isinstance(decision, Deliver) and decision.at == later


def test_channels_follow_the_persons_choice_per_type() -> None:
    choice = prefs(channels={T.MEETING_REMINDER: (Channel.SLACK, Channel.SLACK, Channel.TEAMS)})

    decision = resolve_delivery(planned(due_at=DAY), choice, now=DAY)

    assert isinstance(decision, Deliver)
    assert decision.channels == (Channel.SLACK, Channel.TEAMS)


def test_opted_out_type_is_suppressed() -> None:
    person = prefs(opted_out=frozenset({T.MEETING_REMINDER}))

    decision = resolve_delivery(planned(due_at=DAY), person, now=DAY)

    assert decision == Suppress(R.OPTED_OUT)


def test_opt_out_is_ignored_for_mandatory_types() -> None:
    item = planned(T.MEETING_CANCELLED, due_at=DAY, mandatory=True)

    decision = resolve_delivery(item, prefs(opted_out=frozenset({T.MEETING_CANCELLED})), now=DAY)

    assert isinstance(decision, Deliver)


def test_type_with_no_channel_is_suppressed_unless_mandatory() -> None:
    nowhere = prefs(channels={T.MEETING_CANCELLED: ()})
    optional = planned(T.MEETING_CANCELLED, due_at=DAY)
    mandatory = planned(T.MEETING_CANCELLED, due_at=DAY, mandatory=True)

    assert resolve_delivery(optional, nowhere, now=DAY) == Suppress(R.NO_CHANNEL)
    assert resolve_delivery(mandatory, nowhere, now=DAY) == Deliver(
        DAY, MANDATORY_FALLBACK_CHANNELS
    )


def test_reminder_inside_quiet_hours_moves_to_their_end() -> None:
    due = utc(2026, 1, 12, 4, 0)  # 05:00 Berlin
    item = planned(due_at=due, deadline=utc(2026, 1, 12, 9, 0))

    decision = resolve_delivery(item, prefs(quiet_hours=NIGHT), now=due)

    assert decision == Deliver(
        utc(2026, 1, 12, 6, 0), (Channel.EMAIL, Channel.INBOX), moved_by_quiet_hours=True
    )


def test_reminder_that_would_arrive_after_the_meeting_start_is_suppressed() -> None:
    due = utc(2026, 1, 12, 4, 30)  # 05:30 Berlin, meeting at 06:30 Berlin
    item = planned(due_at=due, deadline=utc(2026, 1, 12, 5, 30))

    decision = resolve_delivery(item, prefs(quiet_hours=NIGHT), now=due)

    assert decision == Suppress(R.QUIET_HOURS_TOO_LATE)


def test_mandatory_item_that_would_be_too_late_is_delivered_at_its_original_time() -> None:
    due = utc(2026, 1, 12, 4, 30)
    item = planned(
        T.MEETING_CANCELLED, due_at=due, deadline=utc(2026, 1, 12, 5, 30), mandatory=True
    )

    decision = resolve_delivery(item, prefs(quiet_hours=NIGHT), now=due)

    assert isinstance(decision, Deliver)
    assert decision.at == due and decision.quiet_hours_overridden


def test_reminder_resolved_after_the_meeting_started_is_suppressed() -> None:
    start = DAY
    item = replace(
        planned(due_at=start - timedelta(hours=1), deadline=start),
        deadline_reason=R.MEETING_STARTED,
    )

    assert resolve_delivery(item, prefs(), now=start) == Suppress(R.MEETING_STARTED)


def test_quiet_hours_on_the_new_york_spring_forward_night_move_to_seven_edt() -> None:
    due = utc(2026, 3, 8, 8, 0)  # 04:00 EDT (the 02:00-03:00 hour was skipped)
    person = prefs(time_zone="America/New_York", quiet_hours=NIGHT)

    decision = resolve_delivery(planned(due_at=due), person, now=due)

    assert isinstance(decision, Deliver) and decision.at == utc(2026, 3, 8, 11, 0)


def test_quiet_hours_on_the_berlin_autumn_night_move_to_seven_cet() -> None:
    due = utc(2026, 10, 25, 1, 30)  # 02:30 CET, the second 02:30 of the night
    person = prefs(quiet_hours=NIGHT)

    decision = resolve_delivery(planned(due_at=due), person, now=due)

    assert isinstance(decision, Deliver) and decision.at == utc(2026, 10, 25, 6, 0)


def test_early_meeting_keeps_its_24h_reminder_moved_and_loses_the_1h_one() -> None:
    start = utc(2026, 1, 13, 5, 30)  # 06:30 Berlin, inside 22:00-07:00 quiet hours
    now = utc(2026, 1, 10, 12, 0)
    plan = plan_notifications(scheduled(start), now=now)
    person = prefs(quiet_hours=NIGHT)

    decisions = {
        r.due_at: resolve_delivery(r, person, now=now)
        for r in plan.notifications
        if r.type is T.MEETING_REMINDER and r.recipient_id == "mentee-1"
    }

    assert decisions[start - timedelta(hours=24)] == Deliver(
        utc(2026, 1, 12, 6, 0), (Channel.EMAIL, Channel.INBOX), moved_by_quiet_hours=True
    )
    assert decisions[start - timedelta(hours=1)] == Suppress(R.QUIET_HOURS_TOO_LATE)


def test_non_urgent_item_goes_to_the_daily_digest_at_the_local_digest_time() -> None:
    item = planned(T.JOURNAL_PROMPT, due_at=DAY)

    decision = resolve_delivery(item, prefs(daily_digest_at=time(18, 0)), now=DAY)

    assert decision == AddToDigest(utc(2026, 1, 12, 17, 0))  # 18:00 CET


def test_urgent_item_is_never_batched_into_the_digest() -> None:
    decision = resolve_delivery(planned(due_at=DAY), prefs(daily_digest_at=time(18, 0)), now=DAY)

    assert isinstance(decision, Deliver)


def test_item_whose_deadline_falls_before_the_digest_is_delivered_directly() -> None:
    item = planned(T.FEEDBACK_REQUEST, due_at=DAY, deadline=DAY + timedelta(hours=2))

    decision = resolve_delivery(item, prefs(daily_digest_at=time(18, 0)), now=DAY)

    assert isinstance(decision, Deliver) and decision.at == DAY
