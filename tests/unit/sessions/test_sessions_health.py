from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from services.sessions.domain.action_items import ActionItemStatus, create_action_item
from services.sessions.domain.feedback import Feedback
from services.sessions.domain.health import (
    Health,
    HealthReason,
    HealthState,
    RelationshipFacts,
    assess_health,
    health_changed,
    health_changed_event,
    relationship_facts,
)
from services.sessions.domain.meetings import Meeting, cancel_meeting, complete_meeting

from .builders import NOW, make_meeting, make_pair

START = datetime(2026, 3, 1, tzinfo=UTC)


def _facts(**changes: object) -> RelationshipFacts:
    base = RelationshipFacts(
        relationship_id="rel-1",
        program_id="prog-1",
        cadence_days=14,
        started_at=START,
        last_held_at=START + timedelta(days=10),
        next_scheduled_at=START + timedelta(days=24),
        recent_cancellations=0,
        ratings=(4, 5),
        commitments_due=2,
        commitments_kept=2,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_relationship_meeting_on_cadence_is_healthy() -> None:
    assert assess_health(_facts(), START + timedelta(days=20)) == Health(HealthState.HEALTHY)


def test_missed_cadence_turns_at_risk() -> None:
    # Last met on day 10 with a 14-day cadence: day 27 is past 14 x 1.25 = 17.5 days.
    health = assess_health(_facts(), START + timedelta(days=28))
    assert health.state is HealthState.AT_RISK
    assert health.reasons == (HealthReason.CADENCE_MISSED,)


def test_cadence_grace_period_is_not_yet_a_miss() -> None:
    assert assess_health(_facts(), START + timedelta(days=27)).state is HealthState.HEALTHY


def test_long_silence_without_an_upcoming_meeting_is_stalled() -> None:
    facts = _facts(next_scheduled_at=None)
    health = assess_health(facts, START + timedelta(days=10 + 29))
    assert health.state is HealthState.STALLED
    assert HealthReason.LONG_SILENCE in health.reasons


def test_long_silence_with_a_meeting_booked_is_only_at_risk() -> None:
    facts = _facts(next_scheduled_at=START + timedelta(days=45))
    health = assess_health(facts, START + timedelta(days=10 + 29))
    assert health.state is HealthState.AT_RISK
    assert health.reasons == (HealthReason.CADENCE_MISSED,)


def test_new_relationship_that_never_met_is_measured_from_its_start() -> None:
    facts = _facts(last_held_at=None, next_scheduled_at=None, ratings=(), commitments_due=0)
    assert assess_health(facts, START + timedelta(days=7)).state is HealthState.HEALTHY
    assert assess_health(facts, START + timedelta(days=29)).state is HealthState.STALLED


def test_cancellations_falling_ratings_and_broken_commitments_are_reasons() -> None:
    facts = _facts(
        recent_cancellations=2, ratings=(5, 5, 3, 2), commitments_due=4, commitments_kept=1
    )
    health = assess_health(facts, START + timedelta(days=12))
    assert health.state is HealthState.AT_RISK
    assert set(health.reasons) == {
        HealthReason.FREQUENT_CANCELLATIONS,
        HealthReason.FEEDBACK_DECLINING,
        HealthReason.COMMITMENTS_SLIPPING,
    }


def test_low_ratings_are_a_reason() -> None:
    health = assess_health(_facts(ratings=(2, 2, 3)), START + timedelta(days=12))
    assert health.reasons == (HealthReason.LOW_RATINGS,)


def test_health_change_is_announced_only_when_the_state_moves() -> None:
    facts = _facts()
    healthy, at_risk = (
        Health(HealthState.HEALTHY),
        Health(HealthState.AT_RISK, (HealthReason.CADENCE_MISSED,)),
    )
    assert not health_changed(None, healthy)
    assert health_changed(healthy, at_risk)
    assert not health_changed(at_risk, Health(HealthState.AT_RISK, (HealthReason.LOW_RATINGS,)))
    assert health_changed_event(facts, healthy, healthy, NOW) is None
    event = health_changed_event(facts, healthy, at_risk, NOW)
    assert event is not None
    assert event.type == "health.changed"
    assert event.data == {
        "relationship_id": "rel-1",
        "program_id": "prog-1",
        "previous_state": "healthy",
        "state": "at_risk",
        "reasons": ("cadence_missed",),
    }


def _held(meeting: Meeting) -> Meeting:
    return complete_meeting(
        meeting,
        now=meeting.starts_at + timedelta(hours=1),
        attended_ids=set(meeting.participant_ids),
    ).state


def test_facts_are_derived_from_meetings_feedback_and_action_items() -> None:
    rel = make_pair()
    held = _held(make_meeting(rel, meeting_id="m1", starts_in=timedelta(days=1)))
    upcoming = make_meeting(rel, meeting_id="m2", starts_in=timedelta(days=20))
    cancelled = cancel_meeting(
        make_meeting(rel, meeting_id="m3", starts_in=timedelta(days=5)),
        now=NOW + timedelta(days=4),
        by="p-mentor",
    ).state
    feedback = [
        Feedback("m1", rel.id, "p-mentee", 2, False, "", NOW + timedelta(days=2)),
        Feedback("m1", rel.id, "p-mentor", 4, True, "", NOW + timedelta(days=1, hours=3)),
    ]
    item = create_action_item(
        rel, item_id="a1", owner_id="p-mentee", description="x", due_on=date(2026, 3, 5), now=NOW
    ).state
    done = replace(item, status=ActionItemStatus.DONE)
    now = NOW + timedelta(days=10)
    facts = relationship_facts(rel, [held, upcoming, cancelled], feedback, [item, done], now=now)
    assert facts.last_held_at == held.starts_at
    assert facts.next_scheduled_at == upcoming.starts_at
    assert facts.recent_cancellations == 1
    assert facts.ratings == (4, 2)
    assert (facts.commitments_due, facts.commitments_kept) == (2, 1)
    assert assess_health(facts, now).state is HealthState.HEALTHY
