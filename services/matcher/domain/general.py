"""Peer coaching solver: maximum-weight matching on a general (non-bipartite) graph.

Exact blossom (networkx/rustworkx ``max_weight_matching``) is O(n^3) and too slow
at 100k peers, so we use the LP relaxation and round it:

1. Bipartite double cover: every peer v becomes v_L and v_R, every edge {u, v}
   becomes arcs u_L->v_R and v_L->u_R. A maximum-weight bipartite matching y of
   the cover, solved exactly by OR-tools min-cost flow, gives the fractional
   matching x_uv = (y_uv + y_vu) / 2, optimal for the matching LP without
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
   vertices) is re-solved exactly with rustworkx's blossom
   ``max_weight_matching``; kept only if it gains. Small graphs fit entirely,
   so they are solved exactly.

Total: a min-cost flow (2n + 2 nodes, 2|E| + 2n arcs), O(|E| log |E|), one small blossom.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import rustworkx as rx
from ortools.graph.python import min_cost_flow

from services.matcher.domain.bipartite import SolverError
from services.matcher.domain.candidates import CandidateGraph

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
    succ, bound = _double_cover(n, u, v, w)
    mate = np.full(n, -1, dtype=np.int64)
    weight_of = _EdgeLookup(n, u, v, w)
    fractional = _round_half_integral(succ, mate, weight_of)
    _greedy_and_augment(n, u, v, w, mate, weight_of)
    seeds = fractional | (mate < 0)
    _exact_repair(u, v, w, mate, seeds, repair_nodes)
    a = np.arange(n)
    matched = mate > a
    chosen = ids[weight_of.positions(a[matched], mate[matched])]
    total = int(w_all[chosen].sum()) if len(chosen) else 0
    return GeneralMatching(chosen, total, bound)


def _double_cover(n: int, u: IntArray, v: IntArray, w: IntArray) -> tuple[IntArray, float]:
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
    y = flow.flows(np.arange(n, n + 2 * m)) > 0
    succ = np.full(n, -1, dtype=np.int64)
    tail_peer = np.concatenate([u, v])
    head_peer = np.concatenate([v, u])
    succ[tail_peer[y]] = head_peer[y]
    return succ, -flow.optimal_cost() / 2.0


class _EdgeLookup:
    """Weight of an undirected edge by binary search over sorted ``min*n + max`` keys."""

    def __init__(self, n: int, u: IntArray, v: IntArray, w: IntArray) -> None:
        key = np.minimum(u, v) * n + np.maximum(u, v)
        self.order = np.argsort(key, kind="stable")
        self.sorted_keys = key[self.order]
        self.n = n
        self._keys: list[int] = self.sorted_keys.tolist()
        self._w: list[int] = w[self.order].tolist()

    def __call__(self, a: int, b: int) -> int:
        k = a * self.n + b if a < b else b * self.n + a
        return self._w[bisect_left(self._keys, k)]

    def positions(self, a: IntArray, b: IntArray) -> IntArray:
        """Index into the original edge arrays of each (a, b) edge."""
        key = np.minimum(a, b) * self.n + np.maximum(a, b)
        return np.asarray(self.order[np.searchsorted(self.sorted_keys, key)], dtype=np.int64)


def _round_half_integral(
    succ: IntArray, mate: IntArray, weight_of: _EdgeLookup
) -> npt.NDArray[np.bool_]:
    """Round in place; returns the mask of peers on fractional (x = 1/2) components."""
    n = len(succ)
    s = succ.tolist()
    pred = [-1] * n
    for a, b in enumerate(s):
        if b >= 0:
            pred[b] = a
    seen = [False] * n
    fractional = np.zeros(n, dtype=np.bool_)
    for a in range(n):
        b = s[a]
        if b >= 0 and s[b] == a:
            mate[a], mate[b] = b, a
            seen[a] = seen[b] = True
    for start in range(n):
        if seen[start] or (s[start] < 0 and pred[start] < 0):
            continue
        node = start  # walk back to the path start, or once around the cycle
        while pred[node] >= 0 and pred[node] != start:
            node = pred[node]
        order = [node]
        seen[node] = True
        nxt = s[node]
        while nxt >= 0 and not seen[nxt]:
            order.append(nxt)
            seen[nxt] = True
            nxt = s[nxt]
        cycle = len(order) > 2 and s[order[-1]] == order[0]
        ws = [weight_of(order[i], order[i + 1]) for i in range(len(order) - 1)]
        if cycle:
            closing = weight_of(order[-1], order[0])
            pick_a = _path_dp(ws)
            pick_b = [i + 1 for i in _path_dp(ws[1:-1])] if len(ws) > 2 else []
            val_a = sum(ws[i] for i in pick_a)
            val_b = closing + sum(ws[i] for i in pick_b)
            if val_b > val_a:
                a, b = order[-1], order[0]
                mate[a], mate[b] = b, a
                picks = pick_b
            else:
                picks = pick_a
        else:
            picks = _path_dp(ws)
        for i in picks:
            a, b = order[i], order[i + 1]
            mate[a], mate[b] = b, a
        fractional[order] = True
    return fractional


def _path_dp(ws: list[int]) -> list[int]:
    """Indices of a maximum-weight set of non-adjacent path edges."""
    best = [0] * (len(ws) + 1)
    for i, wi in enumerate(ws):
        best[i + 1] = max(best[i], (best[i - 1] if i >= 1 else 0) + wi)
    out: list[int] = []
    i = len(ws)
    while i > 0:
        if best[i] == best[i - 1]:
            i -= 1
        else:
            out.append(i - 1)
            i -= 2
    return out


def _greedy_and_augment(
    n: int,
    u: IntArray,
    v: IntArray,
    w: IntArray,
    mate: IntArray,
    weight_of: _EdgeLookup,
) -> None:
    free = mate < 0
    both = np.nonzero(free[u] & free[v])[0]
    for e in both[np.argsort(-w[both], kind="stable")].tolist():
        a, b = int(u[e]), int(v[e])
        if mate[a] < 0 and mate[b] < 0:
            mate[a], mate[b] = b, a
    nbrs: dict[int, list[int]] = {}
    touch = np.nonzero(free[u] | free[v])[0]
    for a, b in zip(u[touch].tolist(), v[touch].tolist(), strict=True):
        nbrs.setdefault(a, []).append(b)
        nbrs.setdefault(b, []).append(a)
    improved = True
    while improved:
        improved = False
        for a in [x for x in nbrs if mate[x] < 0]:
            if mate[a] >= 0:
                continue
            best_gain, best_move = 0, None
            for b in nbrs[a]:
                x = int(mate[b])
                if x < 0:
                    gain, move = weight_of(a, b), (b, -1, -1)
                else:
                    gain = weight_of(a, b) - weight_of(b, x)
                    move = (b, x, -1)
                    for y in nbrs.get(x, []):
                        if y != a and mate[y] < 0:
                            g2 = gain + weight_of(x, y)
                            if g2 > best_gain:
                                best_gain, best_move = g2, (b, x, y)
                if gain > best_gain:
                    best_gain, best_move = gain, move
            if best_move is not None:
                b, x, y = best_move
                if x >= 0:
                    mate[x] = -1
                mate[a], mate[b] = b, a
                if y >= 0:
                    mate[x], mate[y] = y, x
                improved = True


def _exact_repair(
    u: IntArray,
    v: IntArray,
    w: IntArray,
    mate: IntArray,
    seeds: npt.NDArray[np.bool_],
    max_nodes: int,
) -> None:
    has_edge = np.zeros(len(mate), dtype=np.bool_)
    has_edge[u] = has_edge[v] = True
    region = seeds & has_edge
    if not region.any():
        return
    for _ in range(2):
        grown = region.copy()
        touch = region[u] | region[v]
        grown[u[touch]] = grown[v[touch]] = True
        grown[mate[grown & (mate >= 0)]] = True
        if grown.sum() > max_nodes:
            break
        region = grown
    region[mate[region & (mate >= 0)]] = True
    if region.sum() > max_nodes:
        return
    nodes = np.nonzero(region)[0]
    local = np.full(len(mate), -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    inside = region[u] & region[v]
    graph = rx.PyGraph()
    graph.add_nodes_from(range(len(nodes)))
    graph.add_edges_from(
        list(
            zip(
                local[u[inside]].tolist(),
                local[v[inside]].tolist(),
                w[inside].tolist(),
                strict=True,
            )
        )
    )
    best = rx.max_weight_matching(graph, max_cardinality=False, weight_fn=int)
    lookup = {
        (int(a), int(b)): int(c) for a, b, c in zip(u[inside], v[inside], w[inside], strict=True)
    }

    def value(pairs: list[tuple[int, int]]) -> int:
        return sum(lookup[(a, b) if a < b else (b, a)] for a, b in pairs)

    current = [(int(a), int(mate[a])) for a in nodes.tolist() if mate[a] > a]
    proposal = [(int(nodes[a]), int(nodes[b])) for a, b in best]
    if value(proposal) > value(current):
        mate[nodes] = -1
        for a, b in proposal:
            mate[a], mate[b] = b, a
