import numpy as np
import pytest

from services.matcher.domain import candidate_filters, candidates, exact_candidates
from services.matcher.domain.candidate_kernel import TILE
from services.matcher.domain.candidates import CandidateGraph, generate_candidates
from services.matcher.domain.exact_candidates import SURVIVORS_PER_K, class_count, exact_top_k
from services.matcher.domain.pairing import ProgramInput, prepare_program
from services.matcher.domain.rules import ExcludedPairs, ProgramKind, default_rules

from .factories import (
    count_canonical_scoring,
    look_alike_mentoring,
    peer,
    person,
    program_sides,
    synthetic_mentoring,
    synthetic_peers,
)

IntArray = np.ndarray


def _best_scores(program: ProgramInput, row: int, right: IntArray, symmetric: bool, k: int):
    """The k best canonical scores of one left row against every right row (the spec)."""
    t, rules = program.table, program.rules
    me = np.full(len(right), row)
    ok = t.feasible(rules, program.keys, me, right)
    return np.sort(t.scores(rules, me, right, symmetric=symmetric)[ok])[::-1][:k]


def _filtered(program: ProgramInput, symmetric: bool, k: int, reach: int = 0):
    left, right = program_sides(program, symmetric)
    rng = np.random.default_rng(0)
    edges = exact_top_k(
        program, left, right, symmetric=symmetric, k=k, tie_break=rng, reach=reach, block_rows=64
    )
    return left, right, edges


def _assert_exact(program: ProgramInput, symmetric: bool, k: int) -> None:
    left, right, (el, _er, score) = _filtered(program, symmetric, k)
    for pos in range(len(left)):
        expected = _best_scores(program, int(left[pos]), right, symmetric, k)
        np.testing.assert_allclose(np.sort(score[el == pos])[::-1], expected, rtol=1e-6)


@pytest.mark.parametrize("k", [3, 12])
def test_filtered_top_k_of_mentees_equals_scoring_every_mentor(k: int) -> None:
    _assert_exact(synthetic_mentoring(600, seed=11, require_different_department=True), False, k)


@pytest.mark.parametrize("k", [3, 12])
def test_filtered_top_k_of_peers_equals_scoring_every_peer(k: int) -> None:
    _assert_exact(synthetic_peers(700, 450, seed=12), True, k)


def test_filtered_top_k_is_exact_over_several_column_tiles() -> None:
    """More mentors than one tile of the compiled filter holds (``TILE``), in several
    hours and languages, so tiles a class cannot reach are skipped."""
    mentors = 2 * TILE + 300
    program = synthetic_mentoring(3 * mentors, seed=21, mentors=mentors, mentees=250)
    _assert_exact(program, False, 6)


@pytest.mark.parametrize("junior_by", ["tenure", "level_or_tenure", "level_and_tenure"])
def test_filtered_top_k_follows_every_seniority_mode(junior_by: str) -> None:
    _assert_exact(synthetic_mentoring(450, seed=20, junior_by=junior_by), False, 4)


def test_rows_with_more_ties_than_their_best_list_holds_still_get_their_exact_top_k(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exact_candidates, "SURVIVORS_PER_K", 1)
    _assert_exact(synthetic_mentoring(400, seed=19), False, 3)
    _assert_exact(synthetic_peers(300, 200, seed=19), True, 3)


def test_look_alikes_get_a_random_sample_of_their_ties_and_bounded_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Everyone on a side alike (an HR import of defaults): every pair ties. Each mentee
    still gets k partners, spread at random over the mentors rather than the first
    columns, and no more than ``SURVIVORS_PER_K * k`` pairs per mentee are scored."""
    n, k = 600, 5
    program = look_alike_mentoring(n)
    scored = count_canonical_scoring(monkeypatch)
    left, right, (el, er, score) = _filtered(program, False, k)
    assert sum(scored) <= SURVIVORS_PER_K * k * n
    assert np.bincount(el, minlength=n).tolist() == [k] * n
    assert np.ptp(score) < 1e-6, "every pair ties"
    assert len(np.unique(er)) > 0.9 * n, "ties are broken at random, not by column order"


def _look_alike_peers(n: int, kinds: int) -> ProgramInput:
    """Peers of ``kinds`` kinds (department, skill level), alike within a kind: a peer
    ties with every other peer of a kind, so rows have far more ties than their list."""
    people = [
        person(f"p{i}", department=f"d{i % kinds}", skills={"ai": 1 + i % kinds}, interests={"ai"})
        for i in range(n)
    ]
    rules = default_rules(ProgramKind.PEER_COACHING)
    return prepare_program(people, [peer(p.id, wants={"ai"}) for p in people], rules)


@pytest.mark.parametrize("kinds", [1, 3])
def test_peers_scored_once_per_pair_get_the_top_k_of_scoring_every_peer_despite_ties(
    kinds: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exact_candidates, "SURVIVORS_PER_K", 1)
    _assert_exact(_look_alike_peers(260, kinds), True, 4)


def test_peers_over_several_tiles_get_the_top_k_of_scoring_every_peer() -> None:
    """More peers than a tile of columns, in several hours and languages, in blocks of
    64: pairs within a block, across blocks and across tiles all counted once."""
    _assert_exact(synthetic_peers(TILE + 400, TILE + 200, seed=22), True, 5)


def test_look_alike_peers_get_a_random_sample_of_their_ties_and_bounded_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    n, k = 500, 5
    program = _look_alike_peers(n, 1)
    scored = count_canonical_scoring(monkeypatch)
    left, right, (el, er, score) = _filtered(program, True, k)
    assert sum(scored) <= SURVIVORS_PER_K * k * n
    assert np.bincount(el, minlength=n).tolist() == [k] * n
    assert not (el == er).any(), "nobody is their own peer"
    assert np.ptp(score) < 1e-6, "every pair ties"
    assert len(np.unique(er)) > 0.9 * n, "ties are broken at random, not by column order"


@pytest.mark.parametrize("threads", [1, 3])
def test_peers_candidates_are_the_same_whatever_the_threads_and_order_of_the_pairs(
    threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each pair reaches the lists once, in an order that depends on how the work is cut:
    the lists keep the same best, so the candidates are the same for a seed."""
    program = synthetic_peers(900, 700, seed=23)
    first = _filtered(program, True, 6)[2]
    monkeypatch.setattr(candidate_filters, "THREADS", threads)
    monkeypatch.setattr(candidate_filters, "PAIR_PARTS_PER_CORE", 2)
    again = _filtered(program, True, 6)[2]
    for ours, theirs in zip(first, again, strict=True):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("reach", [0, 4])
def test_filtered_candidates_satisfy_every_hard_constraint(reach: int) -> None:
    program = synthetic_mentoring(600, seed=13, require_different_business_unit=True)
    left, right, (el, er, _score) = _filtered(program, False, 8, reach)
    checks = program.table.constraint_checks(program.rules, program.keys, left[el], right[er])
    assert len(el) > 0
    for constraint, ok in checks.items():
        assert ok.all(), constraint


def test_a_row_whose_best_partners_are_excluded_still_gets_its_exact_top_k() -> None:
    program = synthetic_mentoring(600, seed=14)
    left, right, (el, er, _score) = _filtered(program, False, 6)
    ids = program.table.ids
    best = [(ids[int(left[a])], ids[int(right[b])]) for a, b in zip(el, er, strict=True)]
    forbidden = [pair for pair in best if pair[0] in {ids[int(left[0])], ids[int(left[5])]}]
    blocked = [pair for pair in best if pair[0] == ids[int(left[9])]]
    program = program.with_excluded(ExcludedPairs.of(forbidden=forbidden, blocked=blocked))
    left, right, (el, er, score) = _filtered(program, False, 6)
    for pos in (0, 5, 9):
        expected = _best_scores(program, int(left[pos]), right, False, 6)
        np.testing.assert_allclose(np.sort(score[el == pos])[::-1], expected, rtol=1e-6)
        partners = {(ids[int(left[pos])], ids[int(right[b])]) for b in er[el == pos]}
        assert not partners & (set(forbidden) | set(blocked))


def test_exact_is_the_default_between_the_exhaustive_and_the_pooled_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program = synthetic_mentoring(600, seed=15)
    left, right = program_sides(program, False)
    pairs = len(left) * len(right)
    monkeypatch.setattr(candidates, "EXHAUSTIVE_PAIR_LIMIT", pairs - 1)
    monkeypatch.setattr(candidates, "EXACT_PAIR_LIMIT", pairs)
    monkeypatch.setattr(candidates, "EXACT_REACH", 0)
    graph = generate_candidates(program, left, right, symmetric=False, k=5)
    assert graph.exhaustive
    _assert_graph_is_top_k(program, graph, 5)
    monkeypatch.setattr(candidates, "EXACT_PAIR_LIMIT", pairs - 1)
    assert not generate_candidates(program, left, right, symmetric=False, k=5).exhaustive


def test_reach_gives_every_right_person_with_a_partner_an_edge_and_keeps_each_top_k() -> None:
    program = synthetic_mentoring(600, seed=17)
    left, right = program_sides(program, False)
    k = 2
    _, _, (el, er, score) = _filtered(program, False, k, reach=0)
    assert len(np.unique(er)) < len(right), "a top-2 graph leaves some mentors unranked"
    _, _, (el, er, score) = _filtered(program, False, k, reach=3)
    t = program.table
    for col in range(len(right)):
        others = np.full(len(left), right[col])
        if t.feasible(program.rules, program.keys, left, others).any():
            assert (er == col).any(), col
    for pos in range(len(left)):
        expected = _best_scores(program, int(left[pos]), right, False, k)
        mine = np.sort(score[el == pos])[::-1][:k]
        np.testing.assert_allclose(mine, expected, rtol=1e-6)
    pairs = set(zip(el.tolist(), er.tolist(), strict=True))
    assert len(pairs) == len(el), "each pair once"


def test_peers_above_the_exhaustive_size_are_exact_up_to_the_limit_and_pooled_above(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pooled, peer_100k lost a tenth of its weight (pool_loss 0.905)."""
    program = synthetic_peers(300, 200, seed=18)
    peers, _ = program_sides(program, True)
    pairs = len(peers) ** 2
    monkeypatch.setattr(candidates, "EXHAUSTIVE_PAIR_LIMIT", pairs - 1)
    graph = generate_candidates(program, peers, peers, symmetric=True, k=5)
    assert graph.exhaustive
    monkeypatch.setattr(candidates, "EXACT_PAIR_LIMIT", pairs - 1)
    assert not generate_candidates(program, peers, peers, symmetric=True, k=5).exhaustive
    exact = generate_candidates(program, peers, peers, symmetric=True, k=5, exhaustive=True)
    assert exact.exhaustive


def test_too_many_classes_for_the_filter_table_keep_the_pooled_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program = synthetic_mentoring(600, seed=16)
    left, right = program_sides(program, False)
    monkeypatch.setattr(candidates, "EXHAUSTIVE_PAIR_LIMIT", 0)
    monkeypatch.setattr(candidates, "EXACT_CLASS_LIMIT", class_count(program.table) - 1)
    assert not generate_candidates(program, left, right, symmetric=False, k=5).exhaustive
    monkeypatch.setattr(candidates, "EXACT_CLASS_LIMIT", class_count(program.table))
    assert generate_candidates(program, left, right, symmetric=False, k=5).exhaustive


def _assert_graph_is_top_k(program: ProgramInput, graph: CandidateGraph, k: int) -> None:
    for pos in range(len(graph.left)):
        expected = _best_scores(program, int(graph.left[pos]), graph.right, False, k)
        mine = np.sort(graph.score[graph.edge_left == pos])[::-1]
        np.testing.assert_allclose(mine, expected, rtol=1e-6)
