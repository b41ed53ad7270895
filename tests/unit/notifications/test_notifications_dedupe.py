"""Specifications: de-duplication keys are deterministic and discriminating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain.dedupe import dedupe_key, delivery_key, stream_key
from services.notifications.domain.facts import MatchProposed
from services.notifications.domain.model import NotificationType
from services.notifications.domain.planning import plan_notifications

from .builders import NOW, START, cancelled, rescheduled, scheduled

T = NotificationType


def test_the_same_event_planned_three_times_yields_the_same_keys() -> None:
    fact = scheduled()

    runs = [plan_notifications(fact, now=NOW + timedelta(minutes=m)).keys for m in (0, 7, 45)]

    assert runs[0] == runs[1] == runs[2]
    assert len(set(runs[0])) == len(runs[0])


def test_replayed_reschedule_and_cancel_yield_the_same_keys() -> None:
    for fact in (rescheduled(START + timedelta(days=1)), cancelled()):
        first = plan_notifications(fact, now=NOW)
        again = plan_notifications(fact, now=NOW + timedelta(hours=1))
        assert first.keys == again.keys
        assert first.withdrawals == again.withdrawals


def test_the_same_match_proposal_replayed_yields_the_same_keys() -> None:
    fact = MatchProposed("match-1", ("a", "b"), NOW + timedelta(days=3), NOW)

    assert (
        plan_notifications(fact, now=NOW).keys
        == plan_notifications(fact, now=NOW + timedelta(hours=5)).keys
    )


def test_key_ignores_the_zone_the_due_time_is_expressed_in() -> None:
    berlin = START.astimezone(ZoneInfo("Europe/Berlin"))

    assert dedupe_key("a", T.MEETING_REMINDER, "m", START) == dedupe_key(
        "a", T.MEETING_REMINDER, "m", berlin
    )


def test_key_is_a_short_versioned_string() -> None:
    key = dedupe_key("a", T.MEETING_REMINDER, "m", START)

    assert key.startswith("ntf1:") and len(key) == 5 + 32
    assert delivery_key(key, "email") == key + ":email"


def test_streams_group_all_due_times_of_one_recipient_type_and_subject() -> None:
    plan = plan_notifications(scheduled(), now=NOW)
    reminders = [
        n
        for n in plan.notifications
        if n.type is T.MEETING_REMINDER and n.recipient_id == "mentee-1"
    ]

    assert len({r.key for r in reminders}) == 2
    assert {r.stream for r in reminders} == {
        stream_key("mentee-1", T.MEETING_REMINDER, "meeting-1")
    }


_ids = st.text(min_size=1, max_size=12)


@given(
    a=st.tuples(_ids, st.sampled_from(list(T)), _ids, st.integers(0, 10**6)),
    b=st.tuples(_ids, st.sampled_from(list(T)), _ids, st.integers(0, 10**6)),
)
def test_different_recipient_type_subject_or_due_time_give_different_keys(
    a: tuple[str, T, str, int], b: tuple[str, T, str, int]
) -> None:
    def key(parts: tuple[str, T, str, int]) -> str:
        recipient, type_, subject, minutes = parts
        return dedupe_key(
            recipient, type_, subject, datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
        )

    assert (key(a) == key(b)) == (a == b)
