"""The eligible count an admin watches while editing rules: who has at least one partner
the rules allow, per side, exact within the budget and an honest estimate above it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from services.matcher.domain.eligibility import count_eligible
from services.matcher.domain.pairing import prepare_program
from services.matcher.domain.people import Role
from services.matcher.domain.rules import ProgramKind, default_rules

from .factories import mentee, mentor, peer, person, synthetic_mentoring


def _sides(result):  # type: ignore[no-untyped-def]
    return {s.role: (s.enrolled, s.eligible) for s in result.sides}


def test_a_mentee_with_only_same_department_mentors_drops_out_when_departments_must_differ() -> (
    None
):
    people = [
        person("boss", level=9),
        person("senior-eng", level=6, department="eng", manager="boss"),
        person("senior-ops", level=6, department="ops", manager="boss"),
        person("junior-eng", level=2, department="eng", manager="boss"),
    ]
    enrollments = [mentee("senior-eng"), mentee("senior-ops"), mentor("junior-eng")]
    rules = default_rules(ProgramKind.REVERSE_MENTORING)
    table = prepare_program(people, enrollments, rules).table

    assert _sides(count_eligible(table, rules)) == {Role.MENTEE: (2, 2), Role.MENTOR: (1, 1)}
    stricter = replace(rules, require_different_department=True)
    assert _sides(count_eligible(table, stricter)) == {Role.MENTEE: (2, 1), Role.MENTOR: (1, 1)}


def test_a_reporting_line_is_never_eligible_whatever_the_rules() -> None:
    people = [person("lead", level=6), person("report", level=2, manager="lead")]
    rules = default_rules(ProgramKind.REVERSE_MENTORING)
    table = prepare_program(people, [mentee("lead"), mentor("report")], rules).table

    result = count_eligible(table, rules)
    assert (result.enrolled, result.eligible, result.estimated) == (2, 0, False)


def test_a_peer_is_not_their_own_partner() -> None:
    people = [person("alone", languages=("en",)), person("other", languages=("fr",))]
    rules = default_rules(ProgramKind.PEER_COACHING)
    table = prepare_program(people, [peer("alone"), peer("other")], rules).table

    assert _sides(count_eligible(table, rules)) == {Role.PEER: (2, 0)}
    relaxed = replace(rules, require_shared_language=False)
    assert _sides(count_eligible(table, relaxed)) == {Role.PEER: (2, 2)}


def test_the_count_is_each_side_with_any_feasible_pair_in_the_full_pair_matrix() -> None:
    program = synthetic_mentoring(600, seed=3, min_overlap_hours=8.0, min_level_gap=4)
    table, rules = program.table, program.rules
    mentees, mentors = table.rows_with_role(Role.MENTEE), table.rows_with_role(Role.MENTOR)
    full = table.feasible(rules, program.keys, mentees[:, None], mentors[None, :])

    result = count_eligible(table, rules)
    assert _sides(result) == {
        Role.MENTEE: (len(mentees), int(full.any(axis=1).sum())),
        Role.MENTOR: (len(mentors), int(full.any(axis=0).sum())),
    }
    assert 0 < result.eligible < result.enrolled  # the rules bite on both sides, yet
    assert all(s.eligible < s.enrolled for s in result.sides)  # some remain


def test_over_the_budget_the_figure_is_a_marked_estimate_close_to_the_exact_one() -> None:
    program = synthetic_mentoring(1500, seed=8, min_level_gap=5)
    exact = count_eligible(program.table, program.rules)
    estimate = count_eligible(program.table, program.rules, pair_budget=60_000)

    assert not exact.estimated and estimate.estimated
    for side, approx in zip(exact.sides, estimate.sides, strict=True):
        assert approx.enrolled == side.enrolled
        assert np.isclose(approx.eligible, side.eligible, rtol=0.15, atol=5)
