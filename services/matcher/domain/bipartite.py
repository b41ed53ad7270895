"""Reverse mentoring solver: maximum-weight bipartite b-matching with capacities.

Algorithm: one min-cost-flow problem solved by OR-tools ``SimpleMinCostFlow``
(cost-scaling push-relabel, O(V^2 E log(V C)) worst case, near-linear in practice
on these sparse graphs). Network: source -> mentee (cap 1) -> mentor
(cap 1, cost -w) -> sink (cap = remaining mentor capacity), w = integer-scaled
candidate score.

* ``maximise_cardinality=True``: ``solve_max_flow_with_min_cost`` returns a
  maximum flow (every mentee matched whenever a full matching exists on the
  candidate graph) of minimum cost among maximum flows, i.e. maximum weight
  among maximum-cardinality b-matchings. Optimal, lexicographically.
* otherwise a zero-cost bypass arc source -> sink lets flow skip, and
  ``solve`` returns the maximum-weight b-matching.

Measured at 100k (#19) and not adopted: one ``solve`` with a bonus per matched pair
large enough that cardinality dominates (``B = k_max * (w_max - min(w_min, 0)) + 1``,
k_max the largest possible matching; costs stay far inside int64) gives the same
optimum but takes twice the CPU time of ``solve_max_flow_with_min_cost`` (25 s against
12 s on rm_100k_c1's 4.9M edges): the larger cost range adds cost-scaling phases.

Locked pairs are removed from the network beforehand (their mentee leaves,
their mentor's capacity drops by one); forbidden pairs never enter the
candidate graph. Both answers are optimal on the integer weights
(``CandidateGraph.integer_weights``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from services.matcher.domain.candidates import CandidateGraph

__all__ = ["BMatching", "solve_b_matching"]

IntArray = npt.NDArray[np.int64]


class SolverError(RuntimeError):
    """The flow solver did not report an optimal solution."""


@dataclass(frozen=True, slots=True, eq=False)
class BMatching:
    """Chosen edge indices into the candidate graph and the integer objective."""

    edges: IntArray
    weight: int
    cardinality: int


def solve_b_matching(
    graph: CandidateGraph,
    capacity: IntArray,
    *,
    maximise_cardinality: bool = True,
    locked_left: IntArray | None = None,
    locked_right: IntArray | None = None,
) -> BMatching:
    """Optimal b-matching of ``graph`` (left side capacity 1, right side ``capacity``).

    ``locked_left``/``locked_right`` are positions already assigned by locks:
    those left positions are excluded and each lock uses one unit of the right
    position's capacity. Complexity: one min-cost-flow on V = nL + nR + 2 nodes
    and E = edges + nL + nR arcs.
    """
    n_left, n_right = len(graph.left), len(graph.right)
    cap = capacity.astype(np.int64).copy()
    usable = np.ones(n_left, dtype=np.bool_)
    if locked_left is not None and locked_right is not None:
        usable[locked_left] = False
        np.subtract.at(cap, locked_right, 1)
        cap = np.maximum(cap, 0)
    keep = usable[graph.edge_left] & (cap[graph.edge_right] > 0)
    edge_ids = np.nonzero(keep)[0]
    weights = graph.integer_weights()[edge_ids]
    if len(edge_ids) == 0:
        return BMatching(np.zeros(0, dtype=np.int64), 0, 0)

    source, sink = 0, n_left + n_right + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        *_arcs(graph, edge_ids, weights, usable, cap, bypass=not maximise_cardinality)
    )
    supply = int(usable.sum())
    flow.set_nodes_supplies(np.array([source, sink]), np.array([supply, -supply]))
    status = flow.solve_max_flow_with_min_cost() if maximise_cardinality else flow.solve()
    if status != flow.OPTIMAL:
        raise SolverError(f"min cost flow returned status {status}")
    first_pair_arc = n_left
    pair_arcs = np.arange(first_pair_arc, first_pair_arc + len(edge_ids))
    chosen = flow.flows(pair_arcs) > 0
    picked = edge_ids[chosen]
    return BMatching(picked.astype(np.int64), int(weights[chosen].sum()), int(chosen.sum()))


def _arcs(
    graph: CandidateGraph,
    edge_ids: IntArray,
    weights: IntArray,
    usable: npt.NDArray[np.bool_],
    cap: IntArray,
    *,
    bypass: bool,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Tails, heads, capacities and costs of the flow network: source -> left (1 each,
    arcs ``0..n_left-1``), left -> right (one per candidate edge, cost -weight), right ->
    sink (capacity); ``bypass`` adds a free source -> sink arc so that flow need not be
    maximal."""
    n_left, n_right = len(graph.left), len(graph.right)
    source, sink = 0, n_left + n_right + 1
    left_nodes = 1 + np.arange(n_left, dtype=np.int64)
    right_nodes = 1 + n_left + np.arange(n_right, dtype=np.int64)
    tails = np.concatenate(
        [np.full(n_left, source), left_nodes[graph.edge_left[edge_ids]], right_nodes]
    )
    heads = np.concatenate(
        [left_nodes, right_nodes[graph.edge_right[edge_ids]], np.full(n_right, sink)]
    )
    caps = np.concatenate([usable.astype(np.int64), np.ones(len(edge_ids), np.int64), cap])
    costs = np.concatenate([np.zeros(n_left, np.int64), -weights, np.zeros(n_right, np.int64)])
    if bypass:
        tails, heads = np.append(tails, source), np.append(heads, sink)
        caps, costs = np.append(caps, n_left), np.append(costs, 0)
    return tails, heads, caps, costs
