"""Specification of the junior's private pulse check (reverse mentoring): asked after the
first and the third meeting held, of the junior member (the mentor) only; a low answer
flags the relationship without the answer; HR sees it only over five people or more."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.sessions.domain.events import EventType
from services.sessions.domain.pulses import (
    LOW_RATING,
    Pulse,
    PulseAnswer,
    PulseStatus,
    answer_pulse,
    is_low,
    junior_of,
    pulse_report,
    pulses_due,
)
from services.sessions.domain.relationships import Member, MemberRole, RelationshipKind
from shared.errors import IllegalTransition, InvalidInput

from .builders import NOW, make_pair

FINE = PulseAnswer(comfort=4, psychological_safety=5, would_continue=True, note="PULSE-NOTE")


def _asked(after: int = 1) -> Pulse:
    due = pulses_due(make_pair(), meetings_held=after, now=NOW)
    return next(o.state for o in due if o.state.after_meeting == after)


@pytest.mark.parametrize(
    ("held", "asked_after"),
    [(0, []), (1, [1]), (2, [1]), (3, [1, 3]), (4, [1, 3]), (12, [1, 3])],
)
def test_pulses_are_owed_after_the_first_and_the_third_meeting_held_only(
    held: int, asked_after: list[int]
) -> None:
    due = pulses_due(make_pair(), meetings_held=held, now=NOW)
    assert [o.state.after_meeting for o in due] == asked_after


def test_the_pulse_goes_to_the_junior_member_who_is_the_mentor_in_reverse_mentoring() -> None:
    rel = make_pair(mentor="p-junior", mentee="p-senior")
    assert junior_of(rel) == "p-junior"
    (first,) = pulses_due(rel, meetings_held=1, now=NOW)
    assert first.state.person_id == "p-junior"
    (event,) = first.events
    assert event.type == EventType.PULSE_REQUESTED
    assert event.data["person_id"] == "p-junior"
    assert "p-senior" not in repr(event)


def test_the_same_checkpoint_always_has_the_same_pulse_id() -> None:
    early = pulses_due(make_pair(), meetings_held=1, now=NOW)[0].state
    later = pulses_due(make_pair(), meetings_held=4, now=NOW + timedelta(days=30))[0].state
    assert early.id == later.id
    assert early.id != pulses_due(make_pair(), meetings_held=3, now=NOW)[1].state.id


@pytest.mark.parametrize("kind", [RelationshipKind.PEER_COACHING, RelationshipKind.PEER_GROUP])
def test_other_kinds_of_relationship_owe_no_pulse(kind: RelationshipKind) -> None:
    role = MemberRole.PEER if kind is RelationshipKind.PEER_COACHING else MemberRole.PARTICIPANT
    rel = replace(make_pair(), kind=kind, members=(Member("a", role), Member("b", role)))
    assert junior_of(rel) is None
    assert pulses_due(rel, meetings_held=3, now=NOW) == ()


@pytest.mark.parametrize(
    ("comfort", "safety", "would_continue", "low"),
    [
        (LOW_RATING + 1, LOW_RATING + 1, True, False),
        (LOW_RATING, 5, True, True),
        (5, LOW_RATING, True, True),
        (1, 1, True, True),
        (5, 5, False, True),
    ],
)
def test_the_low_line_is_a_rating_at_most_two_or_not_wanting_to_continue(
    comfort: int, safety: int, would_continue: bool, low: bool
) -> None:
    answer = PulseAnswer(comfort, safety, would_continue)
    assert is_low(answer) is low
    outcome = answer_pulse(_asked(), answer, now=NOW)
    assert [e.type for e in outcome.events] == ([EventType.PULSE_FLAGGED] if low else [])


def test_a_flag_names_the_relationship_and_program_only() -> None:
    low = PulseAnswer(comfort=1, psychological_safety=2, would_continue=False, note="PULSE-NOTE")
    (flag,) = answer_pulse(_asked(), low, now=NOW).events
    assert dict(flag.data) == {"relationship_id": "rel-1", "program_id": "prog-1"}


def test_a_pulse_is_answered_once() -> None:
    answered = answer_pulse(_asked(), FINE, now=NOW).state
    assert answered.status is PulseStatus.ANSWERED and answered.answer == FINE
    with pytest.raises(IllegalTransition):
        answer_pulse(answered, FINE, now=NOW)


def test_ratings_outside_one_to_five_are_refused() -> None:
    with pytest.raises(InvalidInput):
        answer_pulse(_asked(), replace(FINE, comfort=6), now=NOW)


def _answered_by(people: int, *, comfort: int = 4) -> list[Pulse]:
    pulses = []
    for n in range(people):
        asked = replace(_asked(), id=f"pulse-{n}", person_id=f"p-junior-{n}")
        answer = replace(FINE, comfort=comfort, would_continue=n % 2 == 0)
        pulses.append(answer_pulse(asked, answer, now=NOW).state)
    return pulses


def test_aggregates_under_five_people_are_all_suppressed() -> None:
    report = pulse_report(_answered_by(4), first_day=NOW.date(), last_day=NOW.date())
    assert report["answers"] == {"value": None, "suppressed": True}
    for question in ("comfort", "psychological_safety", "would_continue"):
        assert report[question] == {
            "count": {"value": None, "suppressed": True},
            "mean": {"value": None, "suppressed": True},
        }


def test_five_people_show_counts_and_means_per_question() -> None:
    pulses = _answered_by(5, comfort=3)
    report = pulse_report(pulses, first_day=NOW.date(), last_day=NOW.date())
    assert report["answers"] == {"value": 5, "suppressed": False}
    assert report["comfort"] == {
        "count": {"value": 5, "suppressed": False},
        "mean": {"value": 3.0, "suppressed": False},
    }
    assert report["would_continue"]["mean"] == {"value": 0.6, "suppressed": False}  # type: ignore[index]
    assert "PULSE-NOTE" not in repr(report)


def test_one_person_answering_twice_still_counts_as_one_person() -> None:
    pulses = [replace(p, person_id="p-same") for p in _answered_by(6)]
    report = pulse_report(pulses, first_day=NOW.date(), last_day=NOW.date())
    assert report["answers"] == {"value": None, "suppressed": True}


def test_answers_outside_the_range_and_open_pulses_are_not_counted() -> None:
    pulses = [*_answered_by(5), _asked()]
    day_after = NOW.date() + timedelta(days=1)
    assert pulse_report(pulses, first_day=day_after, last_day=day_after)["answers"] == {
        "value": None,
        "suppressed": True,
    }


def test_the_report_refuses_cells_smaller_than_five_people() -> None:
    with pytest.raises(InvalidInput):
        pulse_report([], first_day=NOW.date(), last_day=NOW.date(), min_people=3)
