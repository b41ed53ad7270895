import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

from services.matcher.domain.bipartite import solve_b_matching
from services.matcher.domain.candidates import CandidateGraph, generate_candidates
from services.matcher.domain.pairing import ProgramInput, match_reverse_mentoring, prepare_program
from services.matcher.domain.people import Role
from services.matcher.domain.results import UnmatchedReason
from services.matcher.domain.rules import HardConstraint, ProgramKind, default_rules

from .factories import mentee, mentor, person, synthetic_mentoring

IntArray = npt.NDArray[np.int64]


def _reference(
    graph: CandidateGraph, capacity: IntArray, *, cardinality_first: bool
) -> tuple[int, int]:
    """Exact (matched, weight) by linear_sum_assignment on mentor slots (capacity expanded)."""
    w = graph.integer_weights()
    slots = np.repeat(np.arange(len(graph.right)), capacity)
    big = int(w.sum()) + 1 if cardinality_first else 0
    gain = np.zeros((len(graph.left), len(slots)), dtype=np.int64)
    present = np.zeros_like(gain, dtype=bool)
    for el, er, we in zip(graph.edge_left, graph.edge_right, w, strict=True):
        cols = np.nonzero(slots == er)[0]
        gain[el, cols] = big + we
        present[el, cols] = True
    rows, cols = linear_sum_assignment(-gain)
    used = present[rows, cols]
    return int(used.sum()), int((gain[rows, cols][used] - big).sum())


def _graph(program: ProgramInput) -> CandidateGraph:
    t = program.table
    return generate_candidates(
        program,
        t.rows_with_role(Role.MENTEE),
        t.rows_with_role(Role.MENTOR),
        symmetric=False,
        k=6,
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), capacity=st.integers(1, 3), cardinality_first=st.booleans())
def test_weight_equals_exact_assignment_reference(
    seed: int, capacity: int, cardinality_first: bool
) -> None:
    program = synthetic_mentoring(90, seed=seed, capacity=capacity, mentors=25, mentees=40)
    graph = _graph(program)
    cap = program.table.capacity[graph.right]
    ours = solve_b_matching(graph, cap, maximise_cardinality=cardinality_first)
    assert (ours.cardinality, ours.weight) == _reference(
        graph, cap, cardinality_first=cardinality_first
    )


def test_matches_never_lie_inside_a_reporting_chain() -> None:
    program = synthetic_mentoring(1500, seed=11)
    result = match_reverse_mentoring(program)
    chains = program.table.chains
    assert result.pairs
    assert not any(chains.in_same_chain(*p.person_ids) for p in result.pairs)


def test_mentor_capacities_are_respected() -> None:
    program = synthetic_mentoring(1200, seed=12, capacity=2, mentors=150, mentees=400)
    result = match_reverse_mentoring(program)
    per_mentor: dict[str, int] = {}
    for p in result.pairs:
        per_mentor[p.person_ids[0]] = per_mentor.get(p.person_ids[0], 0) + 1
    assert max(per_mentor.values()) <= 2
    assert len(result.pairs) > 250


def test_every_mentee_is_matched_when_a_full_matching_is_feasible() -> None:
    # Chain m1 -> m2: the greedy best pairs (s1, m1), (s2, m2) would strand s3.
    people = [
        person("m1", level=1, department="a", skills={"py": 5}),
        person("m2", level=1, department="b", skills={"py": 5}),
        person("s1", level=7, department="c"),
        person("s2", level=7, department="d", languages=("en", "de")),
        person("s3", level=7, department="e", languages=("de",)),
        person("m3", level=1, department="f", languages=("de",)),
    ]
    enrollments = [
        mentor("m1"),
        mentor("m2"),
        mentor("m3"),
        mentee("s1", wants={"py"}),
        mentee("s2", wants={"py"}),
        mentee("s3"),
    ]
    program = prepare_program(people, enrollments, default_rules(ProgramKind.REVERSE_MENTORING))
    result = match_reverse_mentoring(program)
    assert len(result.pairs) == 3
    assert result.unmatched == ()


def test_explanation_contributions_sum_to_total() -> None:
    result = match_reverse_mentoring(synthetic_mentoring(600, seed=13))
    for pair in result.pairs:
        ex = pair.explanation
        assert abs(sum(c.value for c in ex.contributions) - ex.total) < 1e-9
        assert all(abs(c.weight * c.raw - c.value) < 1e-12 for c in ex.contributions)
        assert HardConstraint.REPORTING_CHAIN in ex.constraints_satisfied
        assert ex.constraints_violated == ()
    assert abs(result.total_score - sum(p.score for p in result.pairs)) < 1e-6


def test_mentee_who_shares_no_language_is_reported_as_excluded_by_that_constraint() -> None:
    people = [
        person("m1", level=1),
        person("s1", level=6),
        person("s2", level=6, languages=("fi",)),
    ]
    program = prepare_program(
        people,
        [mentor("m1", capacity=2), mentee("s1"), mentee("s2")],
        default_rules(ProgramKind.REVERSE_MENTORING),
    )
    result = match_reverse_mentoring(program)
    (lost,) = result.unmatched
    assert lost.person_id == "s2"
    assert lost.reason is UnmatchedReason.EXCLUDED_BY_CONSTRAINT
    assert lost.constraint is HardConstraint.SHARED_LANGUAGE


def test_surplus_mentees_are_reported_as_capacity_exhausted() -> None:
    people = [person("m1", level=1), person("s1", level=6), person("s2", level=6)]
    program = prepare_program(
        people,
        [mentor("m1"), mentee("s1"), mentee("s2")],
        default_rules(ProgramKind.REVERSE_MENTORING),
    )
    result = match_reverse_mentoring(program)
    assert [u.reason for u in result.unmatched] == [UnmatchedReason.CAPACITY_EXHAUSTED]


def test_mentor_must_be_junior_to_mentee() -> None:
    people = [person("m1", level=5), person("s1", level=5)]
    program = prepare_program(
        people, [mentor("m1"), mentee("s1")], default_rules(ProgramKind.REVERSE_MENTORING)
    )
    result = match_reverse_mentoring(program)
    assert result.pairs == ()
    assert {u.constraint for u in result.unmatched} == {HardConstraint.SENIORITY}


def test_people_who_look_alike_are_all_matched_beyond_the_candidate_list_length() -> None:
    # 120 identical mentors and mentees, top-10 candidate lists: ties must not make
    # every mentee list the same 10 mentors (which would leave 110 unmatched).
    people = [person(f"m{i}", level=1, skills={"ai": 4}) for i in range(120)]
    people += [person(f"s{i}", level=8, department="sales") for i in range(120)]
    enrollments = [mentor(f"m{i}") for i in range(120)]
    enrollments += [mentee(f"s{i}", wants={"ai"}) for i in range(120)]
    rules = default_rules(ProgramKind.REVERSE_MENTORING, candidates_per_person=10)
    result = match_reverse_mentoring(prepare_program(people, enrollments, rules))
    assert len(result.pairs) == 120
    assert result.unmatched == ()
