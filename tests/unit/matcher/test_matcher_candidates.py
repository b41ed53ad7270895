import numpy as np
import pytest

from services.matcher.domain.candidates import CandidateGraph, generate_candidates
from services.matcher.domain.features import ExclusionKeys
from services.matcher.domain.pairing import ProgramInput, prepare_program
from services.matcher.domain.people import Role
from services.matcher.domain.rules import ExcludedPairs, ProgramKind, default_rules

from .factories import mentee, mentor, person, synthetic_mentoring


def _graph(program: ProgramInput, *, exhaustive: bool, k: int | None = None) -> CandidateGraph:
    t = program.table
    return generate_candidates(
        program,
        t.rows_with_role(Role.MENTEE),
        t.rows_with_role(Role.MENTOR),
        symmetric=False,
        exhaustive=exhaustive,
        k=k,
    )


@pytest.mark.parametrize("exhaustive", [True, False])
def test_every_candidate_satisfies_every_active_hard_constraint(exhaustive: bool) -> None:
    program = synthetic_mentoring(900, seed=3, require_different_department=True)
    g = _graph(program, exhaustive=exhaustive)
    assert g.num_edges > 0
    checks = program.table.constraint_checks(
        program.rules, program.keys, g.left[g.edge_left], g.right[g.edge_right]
    )
    for constraint, ok in checks.items():
        assert ok.all(), constraint


@pytest.mark.parametrize("exhaustive", [True, False])
def test_no_candidate_pair_lies_in_one_reporting_chain(exhaustive: bool) -> None:
    program = synthetic_mentoring(900, seed=4)
    g = _graph(program, exhaustive=exhaustive)
    rows = program.table.person_row
    related = program.table.chains.related(rows[g.left[g.edge_left]], rows[g.right[g.edge_right]])
    assert not related.any()


def test_each_person_keeps_at_most_k_best_candidates_exactly() -> None:
    program = synthetic_mentoring(300, seed=5)
    k = 7
    g = _graph(program, exhaustive=True, k=k)
    t, rules = program.table, program.rules
    assert np.bincount(g.edge_left).max() <= k
    for pos in range(0, len(g.left), 17):
        me = np.full(len(g.right), g.left[pos])
        ok = t.feasible(rules, program.keys, me, g.right)
        scores = np.sort(t.scores(rules, me, g.right, symmetric=False)[ok])[::-1][:k]
        mine = np.sort(g.score[g.edge_left == pos])[::-1]
        np.testing.assert_allclose(mine, scores, rtol=1e-6)


def test_forbidden_and_previously_matched_pairs_are_never_candidates() -> None:
    people = [
        person("m1", level=1, department="a"),
        person("m2", level=1, department="b"),
        person("s1", level=6, department="c"),
    ]
    enrollments = [mentor("m1"), mentor("m2"), mentee("s1")]
    rules = default_rules(ProgramKind.REVERSE_MENTORING)
    excluded = ExcludedPairs.of(previously_matched=[("s1", "m1")], forbidden=[("m2", "s1")])
    program = prepare_program(people, enrollments, rules, excluded)
    assert _graph(program, exhaustive=True).num_edges == 0
    program = program.with_excluded(ExcludedPairs())
    assert _graph(program, exhaustive=True).num_edges == 2


def test_working_hours_must_overlap_across_time_zones() -> None:
    people = [
        person("m1", level=1, timezone="Asia/Tokyo"),
        person("m2", level=1, timezone="Europe/Paris"),
        person("s1", level=6, timezone="America/Los_Angeles"),
    ]
    rules = default_rules(ProgramKind.REVERSE_MENTORING, min_overlap_hours=1.0)
    program = prepare_program(people, [mentor("m1"), mentor("m2"), mentee("s1")], rules)
    g = _graph(program, exhaustive=True)
    partners = {program.table.ids[int(g.right[r])] for r in g.edge_right}
    assert partners == {"m1"}  # Tokyo 00-08 UTC vs LA 17-01 UTC: one hour


def test_exclusion_keys_match_unordered_pairs() -> None:
    people = [person("a", level=1), person("b", level=5)]
    program = prepare_program(
        people,
        [mentor("a"), mentee("b")],
        default_rules(ProgramKind.REVERSE_MENTORING),
        ExcludedPairs.of(forbidden=[("b", "a")]),
    )
    keys = ExclusionKeys.build(program.table, program.excluded)
    assert keys.contains(keys.forbidden, np.array([0]), np.array([1])).tolist() == [True]
