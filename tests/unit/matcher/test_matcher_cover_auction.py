"""The double cover by the auction, against the min-cost flow it replaces: the same optimum
on random graphs (ties included), a valid cover, and ``None`` (the flow then) whenever
it cannot vouch for its answer."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matcher.domain import cover_auction, general
from services.matcher.domain.cover_auction import cover_by_auction
from services.matcher.domain.general import _double_cover_by_flow

from .test_matcher_general_solver import _graph

IntArray = npt.NDArray[np.int64]
Cover = tuple[int, IntArray, IntArray, IntArray]


@st.composite
def covers(draw: st.DrawFn) -> Cover:
    """Random simple graphs with positive weights, from a handful of values (ties) or a
    wide range; edges sorted by (smaller, larger) peer or shuffled."""
    n = draw(st.integers(2, 30))
    pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=90))
    edges = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    if draw(st.booleans()):
        edges = draw(st.permutations(edges))
    weights = st.sampled_from([100, 200, 300]) if draw(st.booleans()) else st.integers(1, 9000)
    u = np.array([a for a, _ in edges], dtype=np.int64)
    v = np.array([b for _, b in edges], dtype=np.int64)
    w = np.array([draw(weights) for _ in edges], dtype=np.int64)
    return n, u, v, w


@settings(max_examples=150, deadline=None)
@given(cover=covers())
def test_auction_finds_the_flows_optimum_as_a_valid_cover(cover: Cover) -> None:
    n, u, v, w = cover
    found = cover_by_auction(n, u, v, w)
    if len(w) == 0:
        assert found is None
        return
    assert found is not None
    succ, succ_edge, bound = found
    assert bound == _double_cover_by_flow(n, u, v, w)[2]
    moves = np.nonzero(succ >= 0)[0]
    ends = {(int(u[e]), int(v[e])) for e in succ_edge[moves]}
    assert ends == {(min(a, b), max(a, b)) for a, b in zip(moves, succ[moves], strict=True)}
    assert len(np.unique(succ[moves])) == len(moves)  # every peer has one predecessor at most
    assert int(w[succ_edge[moves]].sum()) == 2 * bound


def test_same_graph_gives_the_same_cover() -> None:
    rng = np.random.default_rng(3)
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, 200, size=(1500, 2)) if a < b}
    u = np.array([a for a, _ in sorted(pairs)], dtype=np.int64)
    v = np.array([b for _, b in sorted(pairs)], dtype=np.int64)
    w = rng.choice([400, 500, 600], size=len(u)).astype(np.int64)
    first, again = cover_by_auction(200, u, v, w), cover_by_auction(200, u, v, w)
    assert first is not None and again is not None
    assert (first[0] == again[0]).all() and (first[1] == again[1]).all()


def test_weights_too_large_for_exact_prices_are_left_to_the_flow() -> None:
    edge = np.array([0], dtype=np.int64), np.array([1], dtype=np.int64)
    assert cover_by_auction(2, *edge, np.array([2**59], dtype=np.int64)) is None
    assert cover_by_auction(2, *edge, np.array([2**20], dtype=np.int64)) is not None


def test_an_auction_over_its_bid_budget_is_left_to_the_flow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    triangle = np.array([0, 1, 0]), np.array([1, 2, 2]), np.array([1000, 1000, 1000])
    assert cover_by_auction(3, *triangle) is not None
    monkeypatch.setattr(cover_auction, "BID_BUDGET", 0)
    assert cover_by_auction(3, *triangle) is None


def test_the_solver_falls_back_to_the_flow_with_the_same_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pentagon = [(0, 1, 500), (1, 2, 900), (2, 3, 800), (3, 4, 700), (0, 4, 600)]
    monkeypatch.setattr(general, "cover_by_auction", lambda *_: None)
    ours = general.solve_general_matching(_graph(5, pentagon), repair_nodes=0)
    assert ours.upper_bound == 1750.0
    assert ours.weight == 900 + 700
