"""From the half-integral LP optimum to a matching (steps 2-4 of :mod:`general`).

Every step keeps, for each matched peer, the index of its matched edge
(:class:`Mates`), and weighs edges by index: the edges a step looks at (fractional
components, edges around free peers, the repair region) are few, so no step builds a
lookup over all the graph's edges (at 100k peers that lookup alone cost more than
all the steps).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import rustworkx as rx

__all__ = ["Mates", "improve_locally", "repair_exactly", "round_half_integral"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class Mates:
    """Each peer's mate and the index of the edge between them (-1: free)."""

    mate: IntArray
    edge: IntArray

    @classmethod
    def empty(cls, n: int) -> Mates:
        return cls(np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64))

    def pair(self, a: int, b: int, edge: int) -> None:
        self.mate[a], self.mate[b] = b, a
        self.edge[a] = self.edge[b] = edge

    def free(self, a: int) -> None:
        self.mate[a] = self.edge[a] = -1

    def matched_edges(self) -> IntArray:
        """Edge indices of the matching, ordered by their smaller peer."""
        lower = self.mate > np.arange(len(self.mate))
        return np.asarray(self.edge[lower], dtype=np.int64)


def round_half_integral(
    succ: IntArray, succ_edge: IntArray, w: IntArray, mates: Mates
) -> BoolArray:
    """Round the cover's successor map in place; returns the mask of peers on fractional
    (x = 1/2) components, each rounded to its own maximum-weight matching."""
    n = len(succ)
    peers = np.arange(n)
    has = succ >= 0
    mutual = np.zeros(n, dtype=np.bool_)
    mutual[has] = succ[succ[has]] == peers[has]
    mates.mate[mutual] = succ[mutual]
    mates.edge[mutual] = succ_edge[mutual]
    pred = np.full(n, -1, dtype=np.int64)
    pred[succ[has]] = peers[has]
    on_fractional = (has | (pred >= 0)) & ~mutual
    s, p = succ.tolist(), pred.tolist()
    seen: set[int] = set()
    for start in np.nonzero(on_fractional)[0].tolist():
        if start in seen:
            continue
        node = start  # walk back to the path start, or once around the cycle
        while p[node] >= 0 and p[node] != start:
            node = p[node]
        order = [node]
        seen.add(node)
        nxt = s[node]
        while nxt >= 0 and nxt not in seen:
            order.append(nxt)
            seen.add(nxt)
            nxt = s[nxt]
        _round_component(order, s[order[-1]] == order[0], succ_edge, w, mates)
    return on_fractional


def _round_component(
    order: list[int], closed: bool, succ_edge: IntArray, w: IntArray, mates: Mates
) -> None:
    """Maximum-weight matching of one path (or cycle, when ``closed``), in place."""
    edges = [int(succ_edge[a]) for a in order]  # edges[i] joins order[i] and its successor
    ws = [int(w[e]) for e in edges[:-1]]
    picks = _path_dp(ws)
    if closed and len(order) > 2:
        skip_closing = sum(ws[i] for i in picks)
        with_closing = [i + 1 for i in _path_dp(ws[1:-1])] if len(ws) > 2 else []
        if int(w[edges[-1]]) + sum(ws[i] for i in with_closing) > skip_closing:
            mates.pair(order[-1], order[0], edges[-1])
            picks = with_closing
    for i in picks:
        mates.pair(order[i], order[i + 1], edges[i])


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


def improve_locally(u: IntArray, v: IntArray, w: IntArray, mates: Mates) -> None:
    """Greedy on edges between free peers (heaviest first), then augmenting moves of
    length <= 3 from free peers while they gain."""
    mate = mates.mate
    free = mate < 0
    both = np.nonzero(free[u] & free[v])[0]
    for e in both[np.argsort(-w[both], kind="stable")].tolist():
        a, b = int(u[e]), int(v[e])
        if mate[a] < 0 and mate[b] < 0:
            mates.pair(a, b, e)
    nbrs: dict[int, list[tuple[int, int, int]]] = {}  # peer -> (neighbour, edge, weight)
    touch = np.nonzero(free[u] | free[v])[0]
    for a, b, e, x in zip(
        u[touch].tolist(), v[touch].tolist(), touch.tolist(), w[touch].tolist(), strict=True
    ):
        nbrs.setdefault(a, []).append((b, e, x))
        nbrs.setdefault(b, []).append((a, e, x))
    improved = True
    while improved:
        free_now = [a for a in nbrs if mate[a] < 0]
        improved = any([_apply_best_move(a, nbrs, w, mates) for a in free_now])


def _apply_best_move(
    a: int, nbrs: dict[int, list[tuple[int, int, int]]], w: IntArray, mates: Mates
) -> bool:
    """Apply peer ``a``'s best gaining move, if it is still free and has one."""
    mate = mates.mate
    if mate[a] >= 0:
        return False
    best_gain, best_move = 0, None
    for b, e_ab, w_ab in nbrs[a]:
        x = int(mate[b])
        if x < 0:
            gain, move = w_ab, (b, e_ab, -1, -1, -1)
        else:
            gain = w_ab - int(w[mates.edge[b]])
            move = (b, e_ab, x, -1, -1)
            for y, e_xy, w_xy in nbrs.get(x, []):
                if y != a and mate[y] < 0 and gain + w_xy > best_gain:
                    best_gain, best_move = gain + w_xy, (b, e_ab, x, y, e_xy)
        if gain > best_gain:
            best_gain, best_move = gain, move
    if best_move is None:
        return False
    b, e_ab, x, y, e_xy = best_move
    if x >= 0:
        mates.free(x)
    mates.pair(a, b, e_ab)
    if y >= 0:
        mates.pair(x, y, e_xy)
    return True


def repair_exactly(
    u: IntArray, v: IntArray, w: IntArray, mates: Mates, seeds: BoolArray, max_nodes: int
) -> None:
    """Re-solve the region around ``seeds`` exactly (blossom); keep it only if it gains."""
    nodes = _repair_region(u, v, w, mates.mate, seeds, max_nodes)
    if len(nodes) == 0:
        return
    region = np.zeros(len(mates.mate), dtype=np.bool_)
    region[nodes] = True
    local = np.full(len(mates.mate), -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    inside = np.nonzero(region[u] & region[v])[0]
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
    edge_of = {
        (a, b): e
        for a, b, e in zip(u[inside].tolist(), v[inside].tolist(), inside.tolist(), strict=True)
    }
    proposal = [(int(nodes[a]), int(nodes[b])) for a, b in best]
    proposal_edges = [edge_of[(a, b) if a < b else (b, a)] for a, b in proposal]
    current_edges = mates.edge[nodes[mates.mate[nodes] > nodes]]
    if int(w[proposal_edges].sum()) > int(w[current_edges].sum()):
        mates.mate[nodes] = mates.edge[nodes] = -1
        for (a, b), e in zip(proposal, proposal_edges, strict=True):
            mates.pair(a, b, e)


def _repair_region(
    u: IntArray, v: IntArray, w: IntArray, mate: IntArray, seeds: BoolArray, max_nodes: int
) -> IntArray:
    """Seeds with edges, grown two hops while it fits, closed under the matching; empty
    when it does not fit in ``max_nodes``. A hop that does not fit whole takes each region
    peer's 8, 4, 2 or 1 heaviest neighbours (at 100k peers the fractional peers' whole
    neighbourhood never fits, and their heaviest edges are where a repair gains)."""
    has_edge = np.zeros(len(mate), dtype=np.bool_)
    has_edge[u] = has_edge[v] = True
    region = seeds & has_edge
    if not region.any():
        return np.zeros(0, dtype=np.int64)
    for _ in range(2):
        grown = next((g for g in _hops(u, v, w, mate, region) if g.sum() <= max_nodes), None)
        if grown is None:
            break
        region = grown
    region[mate[region & (mate >= 0)]] = True
    if region.sum() > max_nodes:
        return np.zeros(0, dtype=np.int64)
    return np.nonzero(region)[0]


def _hops(
    u: IntArray, v: IntArray, w: IntArray, mate: IntArray, region: BoolArray
) -> Iterator[BoolArray]:
    """The region grown by every neighbour, then by each peer's 8, 4, 2, 1 heaviest ones
    (ties by neighbour), each closed under the matching."""
    out, back = np.nonzero(region[u])[0], np.nonzero(region[v])[0]
    peer = np.concatenate([u[out], v[back]])
    other = np.concatenate([v[out], u[back]])
    order = np.lexsort((other, -np.concatenate([w[out], w[back]]), peer))
    peer, other = peer[order], other[order]
    rank = np.arange(len(peer)) - np.searchsorted(peer, peer)
    for most in (len(peer), 8, 4, 2, 1):
        grown = region.copy()
        grown[other[rank < most]] = True
        grown[mate[grown & (mate >= 0)]] = True
        yield grown
