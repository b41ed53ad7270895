"""Exact top-K candidates for programs too large to score every pair canonically.

Every left x right pair goes through the compiled filter of ``candidate_kernel``, which
computes the same score from precomputed columns (a class table for what depends only on
a person's department, unit, location, hours and languages: cross-department, diversity,
availability and the hard constraints on them; skill and topic columns; seniority). Per
left person it keeps every pair within ``2 * EPS`` of its K-th best filtered score (at
most ``SURVIVORS_PER_K * K``: with more ties than that, a random sample of them); only
those pairs get the canonical ``feasible`` and ``scores`` of ``ParticipantTable``. A row
whose K-th best canonical score falls under that threshold (its best filtered partners
were in one reporting chain or excluded) is scored in full. The top-K is therefore the
exhaustive one; ties (scores within ``TIE_BREAK``) are broken at random as there. Among
peers a pair scores the same both ways: it is filtered once, for both people.

Reach: a top-K graph can leave people nobody ranks in their K best without an edge (the
solver then matches fewer people than on a pooled graph with random extras). With
``reach`` > 0 (bipartite only) the same pass also keeps each right person's ``reach``
best left partners by filtered score; those pairs are judged canonically (infeasible ones
dropped) and added to the graph.

Cost O(nL * nR) fused compiled pair evaluations (n^2 / 2 among peers) on every core, plus
O(survivors) canonical scoring; memory O(nR * (threads + S + topics + threads * reach) +
classes^2 + block_rows * K), among peers O(n * K), whatever the ties."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from services.matcher.domain.candidate_filters import (
    filter_block,
    pairs_block,
    pairs_within_blocks,
    pipelined,
    survivor_pairs,
)
from services.matcher.domain.candidate_layout import (
    class_count,
    class_table,
    person_classes,
    scoring,
    sides,
)
from services.matcher.domain.candidate_types import ColumnHeaps, Columns, PairLists, Rows, Scoring
from services.matcher.domain.features import EncodedProgram

__all__ = [
    "EPS",
    "SURVIVORS_PER_K",
    "TIE_BREAK",
    "canonical_top_k",
    "class_count",
    "exact_top_k",
    "pipelined",
    "survivor_pairs",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
Edges = tuple[IntArray, IntArray, FloatArray]

#: Far below a score's resolution (1 / WEIGHT_SCALE): reorders only (near-)ties.
TIE_BREAK = np.float32(1e-5)
#: Far above float32 rounding of a score (<= 1e-5), far below a score's resolution.
EPS = np.float32(1e-3)
#: Survivor columns kept per row: with more ties, a random sample of them.
SURVIVORS_PER_K = 4


def exact_top_k(
    program: EncodedProgram,
    left: IntArray,
    right: IntArray,
    *,
    symmetric: bool,
    k: int,
    tie_break: np.random.Generator,
    reach: int = 0,
    block_rows: int = 4096,
) -> Edges:
    """(left position, right position, score) of each left row's ``k`` best feasible
    partners, plus (bipartite, ``reach`` > 0) each right row's ``reach`` best.

    Mentees are filtered in a random order, so that equal scores reach the right side's
    lists at random (people who look alike would otherwise all go to the first rows);
    a block is filtered while the one before it is scored canonically."""
    seed = int(tie_break.integers(2**62))
    pass_ = _FilterPass.build(program, left, right, symmetric=symmetric, k=k, seed=seed)
    if symmetric:
        return _peer_top_k(program, left, pass_, block_rows, tie_break)
    heaps = ColumnHeaps.empty(len(right), reach)
    order = tie_break.permutation(len(left))
    blocks = [order[lo : lo + block_rows] for lo in range(0, len(left), block_rows)]
    parts = pipelined(
        blocks,
        lambda pos: pass_.survivors(pos, heaps),
        lambda pos, found: canonical_top_k(
            program, (left, right), pos, found, k, symmetric=False, tie_break=tie_break
        ),
    )
    edges = _concat(parts)
    if heaps.score.shape[2] == 0:
        return edges
    reverse = _reverse_edges(program, left, right, pass_.right_side.position, heaps, tie_break)
    return _union(edges, reverse, len(right))


def _peer_top_k(
    program: EncodedProgram,
    peers: IntArray,
    pass_: _FilterPass,
    block_rows: int,
    tie_break: np.random.Generator,
) -> Edges:
    """``exact_top_k`` among peers: each pair filtered once, for both people, the pairs
    within each block of ``block_rows`` columns first (``pairs_within_blocks``), then each
    block's rows against the columns after it (``pairs_block``). The lists keep the best
    by jittered score whatever the order of the offers, and rows are judged in blocks of
    a random order as mentees are: a seed gives the graph that scoring both ways gave."""
    order, n, k = tie_break.permutation(len(peers)), len(peers), pass_.k
    position, cap = pass_.right_side.position, min(SURVIVORS_PER_K * k, len(peers))
    lists, rows = PairLists.empty(n, k, cap), pass_.left[position]
    cols, count, threshold = (
        np.empty((n, cap), np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.float32),
    )
    a, b, how = pass_.table_side, pass_.right_side, pass_.scoring
    pairs_within_blocks(a, rows, b, how, block_rows, lists, EPS)
    for lo in range(0, n, block_rows):
        at = slice(lo, lo + block_rows)
        pairs_block(a, rows[at], b, how, lo, lists, k, EPS, (cols[at], count[at], threshold[at]))
    column_of, judge = np.argsort(position), partial(canonical_top_k, program, (peers, peers))
    parts = []
    for lo in range(0, n, block_rows):
        pos = order[lo : lo + block_rows]
        row, found = survivor_pairs(cols[column_of[pos]], count[column_of[pos]])
        survivors = (threshold[column_of[pos]], (row, position[found]))
        parts.append(judge(pos, survivors, k, symmetric=True, tie_break=tie_break))
    return _concat(parts)


@dataclass(frozen=True, slots=True)
class _FilterPass:
    """What the compiled filter reads, built once per call."""

    table_side: Rows
    right_side: Columns
    scoring: Scoring
    left: IntArray
    k: int

    @staticmethod
    def build(
        program: EncodedProgram,
        left: IntArray,
        right: IntArray,
        *,
        symmetric: bool,
        k: int,
        seed: int,
    ) -> _FilterPass:
        table = program.table
        classes = person_classes(table)
        table_of_classes = class_table(program, classes, symmetric=symmetric)
        by_row, by_column = sides(table, right, classes, table_of_classes, symmetric=symmetric)
        return _FilterPass(
            table_side=by_row,
            right_side=by_column,
            scoring=scoring(
                program.rules,
                table_of_classes,
                symmetric=symmetric,
                tie_break=float(TIE_BREAK),
                seed=seed,
            ),
            left=left,
            k=k,
        )

    def survivors(
        self, pos: IntArray, heaps: ColumnHeaps
    ) -> tuple[FloatArray, tuple[IntArray, IntArray]]:
        """Per row of ``pos`` its threshold, and the surviving (row of ``pos``, right
        position) pairs: at most ``SURVIVORS_PER_K * k`` per row."""
        cap = min(SURVIVORS_PER_K * self.k, len(self.right_side.level))
        cols = np.empty((len(pos), cap), dtype=np.int64)
        count = np.empty(len(pos), dtype=np.int64)
        threshold = np.empty(len(pos), dtype=np.float32)
        filter_block(
            self.table_side, self.left[pos], pos, self.right_side, self.scoring, self.k, EPS,
            heaps, (cols, count, threshold),
        )  # fmt: skip
        rows, found = survivor_pairs(cols, count)
        return threshold, (rows, self.right_side.position[found])


def canonical_top_k(
    program: EncodedProgram,
    sides: tuple[IntArray, IntArray],
    pos: IntArray,
    found: tuple[FloatArray, tuple[IntArray, IntArray]],
    k: int,
    *,
    symmetric: bool,
    tie_break: np.random.Generator,
    pools: IntArray | None = None,
) -> Edges:
    """Canonical scores of the surviving pairs (``found``: each row's threshold, the
    (row, right position) pairs), the top ``k`` per row; a row whose k-th best is under its
    threshold (``- EPS``) is scored against every column (or its ``pools`` row) instead."""
    table, rules, (left, right) = program.table, program.rules, sides
    threshold, (rows, col) = found
    lrows, rrows = left[pos[rows]], right[col]
    ok = table.feasible(rules, program.keys, lrows, rrows)
    rows, col = rows[ok], col[ok]
    score = table.scores(rules, lrows[ok], rrows[ok], symmetric=symmetric)
    clear = score >= threshold[rows] - EPS
    proven = (np.bincount(rows[clear], minlength=len(pos)) >= k) | ~np.isfinite(threshold)
    redo = np.flatnonzero(~proven)
    keep = proven[rows]
    parts = [_segment_top_k(pos[rows[keep]], col[keep], score[keep], k, tie_break)]
    for r in redo:  # one row at a time: its top k, not its every column, is kept
        cols = np.arange(len(right)) if pools is None else np.unique(pools[r])
        me = np.full(len(cols), left[pos[r]])
        ok = table.feasible(rules, program.keys, me, right[cols])
        full = table.scores(rules, me[ok], right[cols[ok]], symmetric=symmetric)
        parts.append(_segment_top_k(np.full(len(full), pos[r]), cols[ok], full, k, tie_break))
    return _concat(parts)


def _segment_top_k(
    rows: IntArray, cols: IntArray, score: FloatArray, k: int, tie_break: np.random.Generator
) -> Edges:
    """The ``k`` best per row, equal scores in random order (``candidates._top_k``). One
    float64 key (row, then score) sorts several times faster than ``lexsort``."""
    jittered = score + tie_break.random(len(score), dtype=np.float32) * TIE_BREAK
    low = float(jittered.min(initial=0.0))
    span = float(jittered.max(initial=0.0)) - low + 1.0
    order = np.argsort(rows * span - (jittered.astype(np.float64) - low))
    rows, cols, score = rows[order], cols[order], score[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    keep = rank < k
    return rows[keep], cols[keep], score[keep].astype(np.float32)


def _reverse_edges(
    program: EncodedProgram,
    left: IntArray,
    right: IntArray,
    position: IntArray,
    heaps: ColumnHeaps,
    tie_break: np.random.Generator,
) -> Edges:
    """Each right row's ``reach`` best left rows over every thread's heap (by filtered
    score), judged canonically: infeasible pairs (one reporting chain, excluded) dropped."""
    table, rules = program.table, program.rules
    thread, col, slot = np.nonzero(heaps.left >= 0)
    reach = heaps.score.shape[2]
    col, lpos, _ = _segment_top_k(
        position[col], heaps.left[thread, col, slot], heaps.score[thread, col, slot], reach,
        tie_break,
    )  # fmt: skip
    ok = table.feasible(rules, program.keys, left[lpos], right[col])
    lpos, col = lpos[ok], col[ok]
    return lpos, col, table.scores(rules, left[lpos], right[col], symmetric=False)


def _union(first: Edges, second: Edges, n_right: int) -> Edges:
    """Both edge lists, each pair once (scores are canonical in both)."""
    rows = np.concatenate([first[0], second[0]])
    cols = np.concatenate([first[1], second[1]])
    score = np.concatenate([first[2], second[2]])
    _, once = np.unique(rows * n_right + cols, return_index=True)
    return rows[once], cols[once], score[once]


def _concat(parts: list[Edges]) -> Edges:
    rows, cols, score = zip(*parts, strict=True) if parts else ([_NONE], [_NONE], [_NO_SCORE])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(score)


_NONE, _NO_SCORE = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
