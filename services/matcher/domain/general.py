"""Peer coaching solver: maximum-weight matching on a general (non-bipartite) graph.

Exact blossom (networkx/rustworkx ``max_weight_matching``) is O(n^3) and too slow
at 100k peers, so we use the LP relaxation and round it:

1. Bipartite double cover: every peer v becomes v_L and v_R, every edge {u, v}
   becomes arcs u_L->v_R and v_L->u_R. A maximum-weight bipartite matching y of
   the cover, solved exactly by a compiled auction (:mod:`cover_auction`, which
   proves its optimum by a dual; OR-tools min-cost flow when it cannot), gives the
   fractional matching x_uv = (y_uv + y_vu) / 2, optimal for the matching LP without
   odd-set constraints. Hence ``weight(y) / 2`` is a certified upper bound on
   every integral matching, and x is half-integral.
2. Rounding: x = 1 edges are kept. The x = 1/2 edges form vertex-disjoint paths
   and cycles; each component gets its exact maximum-weight matching by
   dynamic programming (O(length)), which for odd cycles amounts to dropping
   one edge optimally.
3. Local improvement: greedy on the edges between still-free peers (heaviest
   first), then augmenting moves of length <= 3 from free peers
   (free u - v matched to x - free y, or u replaces x) while they gain.
4. Exact repair: the region around the fractional components and free peers
   (two hops, closed under the current matching, at most ``repair_nodes``
   vertices; a hop too large to take whole takes each peer's heaviest neighbours) is
   re-solved exactly with rustworkx's blossom
   ``max_weight_matching``; kept only if it gains. Small graphs fit entirely,
   so they are solved exactly.

Total: an auction on 2|E| + n arcs, O(|E| log |E|), one small blossom. The cover is
most of it (at 100k peers and 2M edges about 2 CPU-seconds by the auction, 9-10 by
the min-cost flow on 2n + 2 nodes and 2|E| + 2n arcs); the steps after it
(:mod:`general_rounding`) follow matched edges by index, so they never build a lookup
over all edges. Measured and not faster at 100k (#19): the
double cover as an assignment problem (OR-tools ``SimpleLinearSumAssignment`` with a
"stays unmatched" arc v_L -> v_R: 15-25% more CPU), as a transportation problem
without source and sink, with peers renumbered for locality, and scipy's sparse
Jonker-Volgenant (LAPJVsp, 3x the flow). Pruning to each peer's best 3-12 edges still
left the flow 3.7-6.3 CPU-seconds (it grows with the peers more than with the edges),
and the graph is one connected component.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from services.matcher.domain.bipartite import SolverError
from services.matcher.domain.candidates import CandidateGraph
from services.matcher.domain.cover_auction import cover_by_auction
from services.matcher.domain.general_rounding import (
    Mates,
    improve_locally,
    repair_exactly,
    round_half_integral,
)

__all__ = ["GeneralMatching", "solve_general_matching"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class GeneralMatching:
    """Chosen edge indices, integer objective and the certified LP upper bound."""

    edges: IntArray
    weight: int
    upper_bound: float


def solve_general_matching(
    graph: CandidateGraph, *, blocked: IntArray | None = None, repair_nodes: int = 4000
) -> GeneralMatching:
    """Near-optimal maximum-weight matching; ``blocked`` peers (positions) stay out."""
    n = len(graph.left)
    w_all = graph.integer_weights()
    ok = w_all > 0
    if blocked is not None and len(blocked):
        free = np.ones(n, dtype=np.bool_)
        free[blocked] = False
        ok &= free[graph.edge_left] & free[graph.edge_right]
    ids = np.nonzero(ok)[0]
    if len(ids) == 0:
        return GeneralMatching(np.zeros(0, dtype=np.int64), 0, 0.0)
    u, v, w = graph.edge_left[ids], graph.edge_right[ids], w_all[ids]
    succ, succ_edge, bound = _double_cover(n, u, v, w)
    mates = Mates.empty(n)
    fractional = round_half_integral(succ, succ_edge, w, mates)
    improve_locally(u, v, w, mates)
    repair_exactly(u, v, w, mates, fractional | (mates.mate < 0), repair_nodes)
    chosen = ids[mates.matched_edges()]
    total = int(w_all[chosen].sum()) if len(chosen) else 0
    return GeneralMatching(chosen, total, bound)


def _double_cover(
    n: int, u: IntArray, v: IntArray, w: IntArray
) -> tuple[IntArray, IntArray, float]:
    """The cover's optimum by the auction, or by the min-cost flow when the auction
    cannot vouch for it."""
    return cover_by_auction(n, u, v, w) or _double_cover_by_flow(n, u, v, w)


def _double_cover_by_flow(
    n: int, u: IntArray, v: IntArray, w: IntArray
) -> tuple[IntArray, IntArray, float]:
    """Successor of each peer in the optimal cover (-1: none), the edge index of that arc,
    and the LP bound (half the cover's weight)."""
    source, sink = 0, 2 * n + 1
    left = 1 + np.arange(n, dtype=np.int64)
    right = 1 + n + np.arange(n, dtype=np.int64)
    m = len(u)
    tails = np.concatenate([np.full(n, source), left[u], left[v], right, [source]])
    heads = np.concatenate([left, right[v], right[u], np.full(n, sink), [sink]])
    caps = np.concatenate([np.ones(2 * m + 2 * n, np.int64), [n]])
    caps[:n] = 1
    costs = np.concatenate([np.zeros(n, np.int64), -w, -w, np.zeros(n + 1, np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.array([source, sink]), np.array([n, -n]))
    if flow.solve() != flow.OPTIMAL:
        raise SolverError("double-cover min cost flow failed")
    arcs = np.nonzero(flow.flows(np.arange(n, n + 2 * m)) > 0)[0]
    tail_peer = np.concatenate([u, v])[arcs]
    succ = np.full(n, -1, dtype=np.int64)
    succ_edge = np.full(n, -1, dtype=np.int64)
    succ[tail_peer] = np.concatenate([v, u])[arcs]
    succ_edge[tail_peer] = arcs % m
    return succ, succ_edge, -flow.optimal_cost() / 2.0
