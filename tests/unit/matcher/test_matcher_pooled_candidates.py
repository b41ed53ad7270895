"""Pooled candidates through the compiled filter keep the graph that canonical numpy
scoring of the same pools gives: each row's top-K scores, up to ties within TIE_BREAK."""

import numpy as np
import pytest

from services.matcher.domain import exact_candidates
from services.matcher.domain.candidates import generate_candidates, scored_top_k
from services.matcher.domain.exact_candidates import SURVIVORS_PER_K, TIE_BREAK
from services.matcher.domain.pairing import ProgramInput
from services.matcher.domain.pooled_candidates import (
    Pooling,
    pooled_columns,
    pooled_top_k,
    skill_postings,
)
from services.matcher.domain.rules import ExcludedPairs

from .factories import (
    count_canonical_scoring,
    look_alike_mentoring,
    program_sides,
    synthetic_mentoring,
    synthetic_peers,
)

IntArray = np.ndarray
Edges = tuple[IntArray, IntArray, IntArray]


def _pooling(seed: int) -> Pooling:
    """Pools much smaller than the other side, drawn in blocks of a few rows."""
    return Pooling(per_skill=6, random=12, block_rows=40, rng=np.random.default_rng(seed))


def _compiled(program: ProgramInput, symmetric: bool, k: int, seed: int = 1) -> Edges:
    sides = program_sides(program, symmetric)
    return pooled_top_k(
        program, sides, _pooling(seed), k, symmetric=symmetric,
        tie_break=np.random.default_rng(seed + 7),
    )  # fmt: skip


def _canonical(program: ProgramInput, symmetric: bool, k: int, seed: int = 1) -> Edges:
    """The specification: every pooled pair scored with ``ParticipantTable.scores``."""
    sides = program_sides(program, symmetric)
    postings = skill_postings(program.table, sides[1])
    tie_break = np.random.default_rng(seed + 11)
    return scored_top_k(program, sides, postings, _pooling(seed), k, tie_break, symmetric)


def _assert_same_top_k(program: ProgramInput, symmetric: bool, k: int) -> None:
    ours, spec = _compiled(program, symmetric, k), _canonical(program, symmetric, k)
    n_left = len(program_sides(program, symmetric)[0])
    assert len(spec[0]) > k * n_left // 2, "the pools give most rows k partners"
    for pos in range(n_left):
        mine, expected = np.sort(ours[2][ours[0] == pos]), np.sort(spec[2][spec[0] == pos])
        np.testing.assert_allclose(mine, expected, rtol=0, atol=float(TIE_BREAK))


@pytest.mark.parametrize("k", [3, 10])
def test_compiled_pooled_top_k_of_mentees_equals_canonical_scoring_of_their_pools(k: int) -> None:
    _assert_same_top_k(
        synthetic_mentoring(900, seed=31, require_different_department=True), False, k
    )


@pytest.mark.parametrize("k", [3, 10])
def test_compiled_pooled_top_k_of_peers_equals_canonical_scoring_of_their_pools(k: int) -> None:
    _assert_same_top_k(synthetic_peers(900, 600, seed=32), True, k)


@pytest.mark.parametrize("junior_by", ["level", "tenure", "level_or_tenure", "level_and_tenure"])
def test_compiled_pooled_top_k_follows_every_seniority_mode(junior_by: str) -> None:
    _assert_same_top_k(synthetic_mentoring(600, seed=33, junior_by=junior_by), False, 4)


def test_compiled_pools_hold_only_pooled_partners_and_never_the_row_itself() -> None:
    program = synthetic_peers(700, 450, seed=34)
    peers, _ = program_sides(program, True)
    rows, cols, _ = _compiled(program, True, 6)
    pooling = _pooling(1)
    postings = skill_postings(program.table, peers)
    pools = [
        pooled_columns(program.table, peers[lo : lo + 40], postings, len(peers), pooling)
        for lo in range(0, len(peers), 40)
    ]
    pool = np.concatenate(pools)
    assert all(c in pool[r] for r, c in zip(rows, cols, strict=True))
    assert not (rows == cols).any()
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) == len(rows), "each once"


def test_a_row_whose_best_pooled_partners_are_excluded_still_gets_its_pool_top_k() -> None:
    program = synthetic_mentoring(900, seed=35)
    left, right = program_sides(program, False)
    rows, cols, _ = _compiled(program, False, 5)
    ids = program.table.ids
    best = [(ids[int(left[a])], ids[int(right[b])]) for a, b in zip(rows, cols, strict=True)]
    chosen = {ids[int(left[p])] for p in (0, 7, 41)}
    forbidden = [pair for pair in best if pair[0] in chosen]
    program = program.with_excluded(ExcludedPairs.of(forbidden=forbidden))
    ours, spec = _compiled(program, False, 5), _canonical(program, False, 5)
    for pos in (0, 7, 41):
        partners = {(ids[int(left[pos])], ids[int(right[b])]) for b in ours[1][ours[0] == pos]}
        assert partners and not partners & set(forbidden)
        mine, expected = np.sort(ours[2][ours[0] == pos]), np.sort(spec[2][spec[0] == pos])
        np.testing.assert_allclose(mine, expected, rtol=0, atol=float(TIE_BREAK))


def test_look_alikes_get_a_random_sample_of_their_pooled_ties_and_bounded_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Everyone on a side alike: every pooled pair ties. Each mentee still gets k partners
    spread at random over its pool, and at most ``SURVIVORS_PER_K * k`` pairs a mentee
    are scored canonically."""
    n, k = 400, 4
    program = look_alike_mentoring(n)
    scored = count_canonical_scoring(monkeypatch)
    rows, cols, score = _compiled(program, False, k)
    assert sum(scored) <= SURVIVORS_PER_K * k * n
    assert np.bincount(rows, minlength=n).tolist() == [k] * n
    assert np.ptp(score) < 1e-6, "every pair ties"
    assert len(np.unique(cols)) > 0.9 * n, "ties are broken at random, not by pool order"


def test_rows_with_more_pooled_ties_than_their_best_list_holds_keep_their_top_k(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exact_candidates, "SURVIVORS_PER_K", 1)
    _assert_same_top_k(synthetic_mentoring(600, seed=36), False, 3)
    _assert_same_top_k(synthetic_peers(600, 400, seed=36), True, 3)


def test_pooled_candidates_are_compiled_by_default_and_the_same_graph_as_numpy() -> None:
    program = synthetic_peers(900, 600, seed=37)
    peers, _ = program_sides(program, True)
    graphs = [
        generate_candidates(program, peers, peers, symmetric=True, exhaustive=False,
                            pool_per_skill=6, random_pool=12, compiled_pool=compiled)
        for compiled in (True, False)
    ]  # fmt: skip
    ours, spec = graphs
    assert not ours.exhaustive
    assert abs(ours.num_edges - spec.num_edges) <= 0.01 * spec.num_edges
    assert float(ours.score.sum()) == pytest.approx(float(spec.score.sum()), rel=1e-3)
