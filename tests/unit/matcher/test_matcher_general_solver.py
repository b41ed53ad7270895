"""The peer solver on hand-made graphs, against independent references: the matching LP
solved by HiGHS (the certified bound is its optimum) and networkx's exact blossom (small
graphs are repaired whole, so they are solved exactly)."""

from __future__ import annotations

import dataclasses
from functools import cache

import networkx as nx  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog  # type: ignore[import-untyped]

from services.matcher.domain.candidates import WEIGHT_SCALE, CandidateGraph, generate_candidates
from services.matcher.domain.general import solve_general_matching
from services.matcher.domain.general_rounding import Mates, repair_exactly
from services.matcher.domain.people import Role

from .factories import synthetic_peers

IntArray = npt.NDArray[np.int64]
Edges = list[tuple[int, int, int]]


@cache
def _any_peer_graph() -> CandidateGraph:
    program = synthetic_peers(40, 20, seed=1)
    peers = program.table.rows_with_role(Role.PEER)
    return generate_candidates(program, peers, peers, symmetric=True, k=3)


def _graph(n: int, edges: Edges) -> CandidateGraph:
    """A peer graph on ``n`` peers with exactly ``edges`` (a < b, integer weights)."""
    u = np.array([a for a, _, _ in edges], dtype=np.int64)
    v = np.array([b for _, b, _ in edges], dtype=np.int64)
    score = np.array([w for _, _, w in edges], dtype=np.float64) / WEIGHT_SCALE
    everyone = np.arange(n, dtype=np.int64)
    return dataclasses.replace(
        _any_peer_graph(),
        left=everyone,
        right=everyone,
        edge_left=u,
        edge_right=v,
        score=score.astype(np.float32),
    )


@dataclasses.dataclass(frozen=True)
class Case:
    """A graph, its blocked peers, and the edges a matching may use (positive, unblocked)."""

    graph: CandidateGraph
    blocked: IntArray
    usable: Edges


@st.composite
def peer_graphs(draw: st.DrawFn) -> Case:
    """Random simple graphs: weights from a handful of values (ties) or a wide range
    (negatives and zeros included), and some blocked peers."""
    n = draw(st.integers(2, 24))
    pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))
    edges_at = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    if draw(st.booleans()):
        weights = st.sampled_from([100, 200, 300])
    else:
        weights = st.integers(-500, 9000)
    edges = [(a, b, draw(weights)) for a, b in edges_at]
    blocked = draw(st.sets(st.integers(0, n - 1), max_size=n // 3))
    usable = [(a, b, w) for a, b, w in edges if w > 0 and not {a, b} & blocked]
    return Case(_graph(n, edges), np.array(sorted(blocked), dtype=np.int64), usable)


def _lp_optimum(graph: CandidateGraph, edges: Edges) -> float:
    """max w.x subject to x(delta(v)) <= 1, x >= 0, by HiGHS."""
    n = len(graph.left)
    if not edges:
        return 0.0
    m = len(edges)
    rows = [a for a, _, _ in edges] + [b for _, b, _ in edges]
    incidence = sp.csr_matrix((np.ones(2 * m), (rows, list(range(m)) * 2)), shape=(n, m))
    costs = -np.array([w for _, _, w in edges], dtype=np.float64)
    answer = linprog(costs, A_ub=incidence, b_ub=np.ones(n), bounds=(0, None), method="highs")
    return float(-answer.fun)


def _blossom_optimum(edges: Edges) -> int:
    g = nx.Graph()
    g.add_weighted_edges_from(edges)
    return sum(g[a][b]["weight"] for a, b in nx.max_weight_matching(g))


@settings(max_examples=60, deadline=None)
@given(case=peer_graphs())
def test_bound_is_the_matching_lp_optimum_and_small_graphs_are_solved_exactly(
    case: Case,
) -> None:
    ours = solve_general_matching(case.graph, blocked=case.blocked)
    assert abs(ours.upper_bound - _lp_optimum(case.graph, case.usable)) < 1e-6
    assert ours.weight == _blossom_optimum(case.usable)


@settings(max_examples=40, deadline=None)
@given(case=peer_graphs())
def test_chosen_edges_are_a_matching_of_usable_edges_worth_the_reported_weight(
    case: Case,
) -> None:
    graph = case.graph
    ours = solve_general_matching(graph, blocked=case.blocked, repair_nodes=0)
    ends = np.concatenate([graph.edge_left[ours.edges], graph.edge_right[ours.edges]])
    assert len(ends) == len(np.unique(ends))
    assert not np.isin(ends, case.blocked).any()
    assert (graph.integer_weights()[ours.edges] > 0).all()
    assert ours.weight == int(graph.integer_weights()[ours.edges].sum())


def test_odd_cycle_is_bounded_by_its_half_integral_lp() -> None:
    triangle = [(0, 1, 1000), (1, 2, 1000), (0, 2, 1000)]
    ours = solve_general_matching(_graph(3, triangle))
    assert ours.upper_bound == 1500.0
    assert ours.weight == 1000
    assert len(ours.edges) == 1


def test_longer_odd_cycle_is_rounded_by_dropping_its_lightest_edge_without_repair() -> None:
    pentagon = [(0, 1, 500), (1, 2, 900), (2, 3, 800), (3, 4, 700), (0, 4, 600)]
    ours = solve_general_matching(_graph(5, pentagon), repair_nodes=0)
    assert ours.upper_bound == 1750.0
    assert ours.weight == 900 + 700


def test_peers_left_free_by_rounding_are_paired_by_the_local_step() -> None:
    """The LP keeps the pentagon half-integral and leaves 0-5 empty; rounding frees 0."""
    pentagon_and_pendant = [(0, 1, 500), (1, 2, 900), (2, 3, 800), (3, 4, 700), (0, 4, 600)]
    pentagon_and_pendant.append((0, 5, 1))
    ours = solve_general_matching(_graph(6, pentagon_and_pendant), repair_nodes=0)
    assert ours.upper_bound == 1750.0
    assert ours.weight == 900 + 700 + 1


def test_a_graph_without_edges_or_with_everyone_blocked_matches_no_one() -> None:
    assert solve_general_matching(_graph(4, [])).weight == 0
    everyone = np.arange(3, dtype=np.int64)
    ours = solve_general_matching(_graph(3, [(0, 1, 700), (1, 2, 800)]), blocked=everyone)
    assert (ours.weight, ours.upper_bound, len(ours.edges)) == (0, 0.0, 0)


def test_a_repair_too_large_for_whole_neighbourhoods_takes_each_peers_heaviest_edges() -> None:
    """Free peer 0 sees ten matched pairs (i, i + 10): all of them do not fit in five
    nodes, its two heaviest neighbours and their mates do, and that is where it gains."""
    star = [(0, i, 900 if i == 9 else 800 if i == 10 else 100) for i in range(1, 11)]
    pairs = [(i, i + 10, 300) for i in range(1, 11)]
    u, v, w = (np.array(column, dtype=np.int64) for column in zip(*star, *pairs, strict=True))
    mates = Mates.empty(21)
    for e in range(10, 20):
        mates.pair(int(u[e]), int(v[e]), e)
    repair_exactly(u, v, w, mates, mates.mate < 0, max_nodes=5)
    assert (mates.mate[[0, 9, 10, 19, 20]] == [9, 0, 20, -1, 10]).all()
    assert (mates.mate[1:9] == np.arange(11, 19)).all()
