from dataclasses import replace

import pytest

from services.matcher.domain.lifecycle import (
    Match,
    MatchState,
    Response,
    TransitionError,
    end_match,
    flag_breaches,
    flag_match,
    handle_departure,
    people_in_pool,
    recheck_after_hr_change,
    remaining_capacity,
    respond,
    resume_match,
)
from services.matcher.domain.rules import HardConstraint, ProgramKind, default_rules

from .factories import mentee, mentor, person

RM = ProgramKind.REVERSE_MENTORING


def _pair() -> Match:
    return Match.propose("m-1", RM, ("jun", "sen"))


def test_pair_activates_only_when_both_sides_accept() -> None:
    m = respond(_pair(), "jun", accept=True)
    assert m.state is MatchState.PROPOSED
    assert respond(m, "sen", accept=True).state is MatchState.ACTIVE


def test_decline_by_either_side_declines_the_pair() -> None:
    m = respond(respond(_pair(), "jun", accept=True), "sen", accept=False)
    assert m.state is MatchState.DECLINED


def test_declined_match_frees_mentor_capacity() -> None:
    enrollments = [mentor("jun", capacity=2), mentee("sen"), mentee("other")]
    live = [_pair(), Match.propose("m-2", RM, ("jun", "other"))]
    assert remaining_capacity(enrollments, live) == {"jun": 0}
    declined = [respond(live[0], "sen", accept=False), live[1]]
    assert remaining_capacity(enrollments, declined) == {"jun": 1}


def test_declined_people_return_to_the_pool() -> None:
    enrollments = [mentor("jun"), mentee("sen")]
    assert people_in_pool(enrollments, [_pair()]) == set()
    assert people_in_pool(enrollments, [respond(_pair(), "jun", accept=False)]) == {"jun", "sen"}


def test_group_activates_at_the_program_quorum() -> None:
    g = Match.propose("g-1", ProgramKind.PEER_GROUP, ("a", "b", "c", "d", "e"), quorum=0.6)
    g = respond(respond(g, "a", accept=True), "b", accept=True)
    assert g.state is MatchState.PROPOSED
    assert respond(g, "c", accept=True).state is MatchState.ACTIVE


def test_group_declines_once_the_quorum_is_out_of_reach() -> None:
    g = Match.propose("g-1", ProgramKind.PEER_GROUP, ("a", "b", "c", "d", "e"), quorum=0.6)
    g = respond(respond(g, "a", accept=False), "b", accept=False)
    assert g.state is MatchState.PROPOSED
    assert respond(g, "c", accept=False).state is MatchState.DECLINED


def test_cannot_answer_a_match_that_is_already_active_or_by_a_stranger() -> None:
    active = respond(respond(_pair(), "jun", accept=True), "sen", accept=True)
    with pytest.raises(TransitionError):
        respond(active, "jun", accept=False)
    with pytest.raises(TransitionError):
        respond(_pair(), "stranger", accept=True)


def test_manager_change_into_the_mentees_chain_flags_the_match() -> None:
    people = [
        person("boss", level=8),
        person("sen", level=6, manager="boss"),
        person("jun", level=1),
    ]
    active = replace(_pair(), state=MatchState.ACTIVE)
    rules = default_rules(RM)
    assert recheck_after_hr_change(people[2], people, [active], rules) == []
    moved = replace(people[2], manager_id="sen")
    breaches = recheck_after_hr_change(moved, people, [active], rules)
    assert [b.constraint for b in breaches] == [HardConstraint.REPORTING_CHAIN]
    (flagged,) = flag_breaches([active], breaches)
    assert flagged.state is MatchState.FLAGGED


def test_department_move_breaks_a_different_department_rule() -> None:
    people = [person("sen", level=6, department="ops"), person("jun", level=1, department="hr")]
    rules = default_rules(RM, require_different_department=True)
    moved = replace(people[1], department="ops")
    breaches = recheck_after_hr_change(moved, people, [_pair()], rules)
    assert [b.constraint for b in breaches] == [HardConstraint.DIFFERENT_DEPARTMENT]


def test_promotion_past_the_mentee_breaks_seniority() -> None:
    people = [person("sen", level=6), person("jun", level=1)]
    promoted = replace(people[1], level=7)
    breaches = recheck_after_hr_change(promoted, people, [_pair()], default_rules(RM))
    assert [b.constraint for b in breaches] == [HardConstraint.SENIORITY]


def test_departure_ends_pairs_and_shrinks_circles() -> None:
    circle = Match.propose("g", ProgramKind.PEER_GROUP, ("jun", "b", "c", "d", "e", "f"))
    other = Match.propose("x", RM, ("y", "z"))
    pair, group, untouched = handle_departure("jun", [_pair(), circle, other], min_group_size=5)
    assert pair.state is MatchState.ENDED
    assert group.state is MatchState.PROPOSED and "jun" not in group.member_ids
    assert untouched == other


def test_ended_match_cannot_be_ended_twice() -> None:
    ended = end_match(_pair(), "programme closed")
    with pytest.raises(TransitionError):
        end_match(ended, "again")


def _assigned() -> Match:
    return Match.assign("m-1", RM, ("jun", "sen"))


def test_an_assigned_match_is_active_at_once_with_nobody_asked() -> None:
    m = _assigned()
    assert m.state is MatchState.ACTIVE
    assert dict(m.responses) == {"jun": Response.ASSIGNED, "sen": Response.ASSIGNED}
    with pytest.raises(TransitionError):
        respond(m, "jun", accept=False)


def test_an_assigned_match_uses_the_mentors_capacity_like_an_accepted_one() -> None:
    enrollments = [mentor("jun", capacity=1), mentee("sen")]
    assert remaining_capacity(enrollments, [_assigned()]) == {"jun": 0}
    assert people_in_pool(enrollments, [_assigned()]) == set()


def test_a_flagged_assigned_match_that_is_kept_goes_on_active() -> None:
    flagged = flag_match(_assigned(), "violates reporting_chain")
    assert resume_match(flagged).state is MatchState.ACTIVE
    circle = Match.assign("g", ProgramKind.PEER_GROUP, ("a", "b", "c", "d", "e", "f"))
    [shrunk] = handle_departure("a", [circle], min_group_size=5)
    assert resume_match(flag_match(shrunk, "a left")).state is MatchState.ACTIVE


def test_an_assigned_match_ends_early_and_frees_its_people() -> None:
    enrollments = [mentor("jun"), mentee("sen")]
    ended = end_match(_assigned(), "ended_by_member")
    assert people_in_pool(enrollments, [ended]) == {"jun", "sen"}
    [left] = handle_departure("sen", [_assigned()])
    assert left.state is MatchState.ENDED
