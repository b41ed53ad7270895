"""Independent solvers that check ``bench/matching.py``'s weights on the same graph:
scipy's LAPJVsp for reverse mentoring (capacity-expanded, dummy columns for "unmatched",
lexicographic cardinality-then-weight costs), rustworkx's exact blossom for peer pairs."""

from __future__ import annotations

import numpy as np
import rustworkx as rx
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.sparse.csgraph import (  # type: ignore[import-untyped]
    min_weight_full_bipartite_matching,
)

from services.matcher.domain.candidates import CandidateGraph


def reference_b_matching(graph: CandidateGraph) -> tuple[int, int]:
    """(matched, integer weight) maximising cardinality then weight, via scipy LAPJVsp."""
    w = graph.integer_weights()
    cap = graph.table.capacity[graph.right]
    n_left = len(graph.left)
    offsets = np.concatenate([[0], np.cumsum(cap)])
    c0 = int(w.max(initial=0)) + 1
    big = float(c0 + int(w.sum()) + 1)
    rows, cols, vals = [], [], []
    for slot in range(int(cap.max(initial=1))):
        m = cap[graph.edge_right] > slot
        rows.append(graph.edge_left[m])
        cols.append(offsets[graph.edge_right[m]] + slot)
        vals.append((c0 - w[m]).astype(np.float64))
    rows.append(np.arange(n_left))
    cols.append(offsets[-1] + np.arange(n_left))
    vals.append(np.full(n_left, big))
    matrix = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_left, int(offsets[-1]) + n_left),
    )
    r, c = min_weight_full_bipartite_matching(matrix)
    real = c < offsets[-1]
    cost = np.asarray(matrix[r[real], c[real]]).ravel()
    return int(real.sum()), int((c0 - cost).sum())


def reference_general(graph: CandidateGraph) -> int:
    """Exact maximum-weight matching weight with rustworkx's blossom algorithm."""
    g = rx.PyGraph()
    g.add_nodes_from(range(len(graph.left)))
    w = graph.integer_weights().tolist()
    g.add_edges_from(list(zip(graph.edge_left.tolist(), graph.edge_right.tolist(), w, strict=True)))
    weight = {
        (a, b): x
        for a, b, x in zip(graph.edge_left.tolist(), graph.edge_right.tolist(), w, strict=True)
    }
    matching = rx.max_weight_matching(g, max_cardinality=False, weight_fn=int)
    return sum(weight[(min(a, b), max(a, b))] for a, b in matching)
