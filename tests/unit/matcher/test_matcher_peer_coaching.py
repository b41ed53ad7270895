import networkx as nx  # type: ignore[import-untyped]
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matcher.domain.candidates import CandidateGraph, generate_candidates
from services.matcher.domain.general import solve_general_matching
from services.matcher.domain.pairing import ProgramInput, match_peer_coaching
from services.matcher.domain.people import Role
from services.matcher.domain.rules import ProgramKind

from .factories import synthetic_peers


def _graph(program: ProgramInput, k: int) -> CandidateGraph:
    t = program.table
    peers = t.rows_with_role(Role.PEER)
    return generate_candidates(program, peers, peers, symmetric=True, k=k)


def _exact(graph: CandidateGraph) -> int:
    g = nx.Graph()
    for a, b, w in zip(
        graph.edge_left.tolist(),
        graph.edge_right.tolist(),
        graph.integer_weights().tolist(),
        strict=True,
    ):
        g.add_edge(a, b, weight=w)
    matching = nx.max_weight_matching(g)
    return sum(g[a][b]["weight"] for a, b in matching)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 6))
def test_certified_bound_sandwiches_the_exact_optimum(seed: int, k: int) -> None:
    graph = _graph(synthetic_peers(120, 60, seed=seed), k)
    ours = solve_general_matching(graph)
    exact = _exact(graph)
    assert ours.weight <= exact <= ours.upper_bound + 1e-9
    assert ours.weight >= 0.97 * exact


def test_peer_pairs_are_disjoint_and_outside_reporting_chains() -> None:
    program = synthetic_peers(3000, 1500, seed=21)
    result = match_peer_coaching(program)
    people = [p for pair in result.pairs for p in pair.person_ids]
    assert len(people) == len(set(people))
    chains = program.table.chains
    assert not any(chains.in_same_chain(*p.person_ids) for p in result.pairs)


def test_peer_weight_is_within_0_999_of_certified_upper_bound() -> None:
    result = match_peer_coaching(synthetic_peers(12_000, 6000, seed=22))
    assert result.upper_bound is not None
    assert result.stats["solver_weight"] >= 0.999 * result.upper_bound


def test_chosen_edges_form_a_matching() -> None:
    graph = _graph(synthetic_peers(800, 400, seed=23), 10)
    ours = solve_general_matching(graph)
    ends = np.concatenate([graph.edge_left[ours.edges], graph.edge_right[ours.edges]])
    assert len(ends) == len(np.unique(ends))
    assert ours.weight == int(graph.integer_weights()[ours.edges].sum())


def test_rules_of_another_kind_are_refused() -> None:
    program = synthetic_peers(100, 40, seed=1, kind=ProgramKind.PEER_GROUP)
    try:
        match_peer_coaching(program)
    except ValueError:
        return
    raise AssertionError("expected ValueError")
