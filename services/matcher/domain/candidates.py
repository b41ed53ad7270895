"""Candidate generation: hard-constraint filter, scoring and top-K per person.

Pairs are evaluated block by block with numpy (no per-pair Python). Three modes:

* exhaustive: every left x right pair is scored, so the top-K lists are exact.
  Cost O(nL * nR) vectorised work, O(block) memory. Used for small programs.
* filtered exact (``exact_candidates``, at any size when asked): every pair through
  a compiled filter, the canonical score only for the pairs that can make a top-K.
  Same top-K as exhaustive, a few nanoseconds a pair, still O(nL * nR). Bipartite
  graphs also get each right person's ``EXACT_REACH`` best partners (reach).
* pooled (larger programs): each left person is scored against a candidate pool
  of size P = skills_wanted * pool_per_skill + random_pool drawn from inverted
  skill postings (people who offer a wanted skill) plus uniform random people
  (so cross-criteria and people with rare wants still get candidates), through the
  compiled filter (``pooled_candidates``: canonical scores for the pairs near each
  row's K-th best only). Cost O(nL * P), independent of nR; top-K is exact within the
  pool, approximate overall. The solvers are optimal on whichever graph is produced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matcher.domain.candidate_layout import person_classes
from services.matcher.domain.exact_candidates import TIE_BREAK, class_count, exact_top_k
from services.matcher.domain.features import EncodedProgram, ParticipantTable
from services.matcher.domain.pooled_candidates import (
    Pooling,
    Postings,
    distinct_pooled_columns,
    pooled_top_k,
    skill_postings,
)

__all__ = ["CandidateGraph", "generate_candidates", "scored_top_k"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

EXHAUSTIVE_PAIR_LIMIT = 30_000_000
#: Above the exhaustive size, bipartite candidates are exact up to this many pairs
#: (100k x 100k) unless pooled ones are asked for: the compiled filter costs about 3 ns
#: of CPU a pair, and with reach its graph beats the pooled one on people matched and on
#: weight. rm_100k (quiet): 100,000 matched against 99,907, weight 574,920 against
#: 520,738; candidates 19 s against 6 s, solve 11 s against 10 s. Its memory is bounded
#: per row whatever the ties (a population of look-alikes, as ``tools.organisation``
#: imports, once needed every tied pair). Peer graphs too: pooled, peer_100k lost a
#: tenth of its weight (pool_loss 0.905: 238,199 against 263,156) for 3.7 s of
#: candidates against 19.3 s. ``bench/matching.py`` prints what pooling gives up
#: (pool_loss) and both graphs' candidates seconds.
EXACT_PAIR_LIMIT = 10_000_000_000
#: ...and when the filter's class table (classes squared floats) stays small.
EXACT_CLASS_LIMIT = 4096
#: Each right person's best left partners added to an exact bipartite graph, so that
#: people nobody ranks among their K best still have edges (see ``exact_candidates``;
#: rm_100k: 5 reach everyone, 10 add 0.1% weight and a fifth to the solve time).
EXACT_REACH = 5
WEIGHT_SCALE = 1000


@dataclass(frozen=True, slots=True, eq=False)
class CandidateGraph:
    """Scored eligible pairs. ``edge_left``/``edge_right`` index ``left``/``right``.

    For symmetric (peer) graphs ``left`` and ``right`` are the same rows and each
    undirected edge is stored once with ``edge_left < edge_right``.
    """

    table: ParticipantTable
    left: IntArray
    right: IntArray
    edge_left: IntArray
    edge_right: IntArray
    score: FloatArray
    symmetric: bool
    exhaustive: bool

    @property
    def num_edges(self) -> int:
        return len(self.score)

    def integer_weights(self) -> IntArray:
        """Scores scaled to integers (``WEIGHT_SCALE`` per unit); solvers are exact on these."""
        return np.rint(self.score.astype(np.float64) * WEIGHT_SCALE).astype(np.int64)

    def degree_left(self) -> IntArray:
        deg = np.bincount(self.edge_left, minlength=len(self.left))
        if self.symmetric:
            deg = deg + np.bincount(self.edge_right, minlength=len(self.left))
        return deg.astype(np.int64)

    def degree_right(self) -> IntArray:
        if self.symmetric:
            return self.degree_left()
        return np.bincount(self.edge_right, minlength=len(self.right)).astype(np.int64)


def generate_candidates(
    program: EncodedProgram,
    left: IntArray,
    right: IntArray,
    *,
    symmetric: bool,
    k: int | None = None,
    exhaustive: bool | None = None,
    pool_per_skill: int = 96,
    random_pool: int = 160,
    block_pairs: int = 1_500_000,
    seed: int = 0,
    compiled_pool: bool = True,
) -> CandidateGraph:
    """Top-``k`` feasible candidates per left row, scored with ``rules.weights``.

    ``exhaustive``: True exact at any size, False pooled, None by size (module docstring).
    ``compiled_pool``: pooled pairs through the compiled filter (``pooled_candidates``);
    False scores every pooled pair canonically with numpy, the specification the compiled
    pass is tested against (also used when the filter's class table would be too large).
    Complexity: exhaustive O(nL*nR), pooled O(nL*P); memory O(block_pairs + nL*k).
    """
    table = program.table
    k = program.rules.candidates_per_person if k is None else k
    n_left, n_right = len(left), len(right)
    if exhaustive is None:
        exhaustive = _exact_by_default(table, n_left * n_right)
    rng = np.random.default_rng(seed)
    tie_break = np.random.default_rng(seed + 1)
    if exhaustive and n_left * n_right > EXHAUSTIVE_PAIR_LIMIT:
        return _filtered_exact(program, (left, right), k, tie_break, symmetric=symmetric)
    pool = n_right if exhaustive else table.wanted.shape[1] * pool_per_skill + random_pool
    pooling = Pooling(pool_per_skill, random_pool, max(1, block_pairs // max(pool, 1)), rng)
    sides = (left, right)
    if exhaustive:
        edges = scored_top_k(program, sides, None, pooling, k, tie_break, symmetric)
    elif compiled_pool and (classes := person_classes(table)).max(initial=-1) < EXACT_CLASS_LIMIT:
        edges = pooled_top_k(
            program, sides, pooling, k, symmetric=symmetric, tie_break=tie_break, classes=classes
        )
    else:
        postings = skill_postings(table, right)
        edges = scored_top_k(program, sides, postings, pooling, k, tie_break, symmetric)
    return _graph(table, left, right, edges, symmetric, exhaustive=exhaustive)


def scored_top_k(
    program: EncodedProgram,
    sides: tuple[IntArray, IntArray],
    postings: Postings | None,
    pooling: Pooling,
    k: int,
    tie_break: np.random.Generator,
    symmetric: bool,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Every pair of each block of left rows (against every right row, or with
    ``postings`` its pool) scored canonically with numpy; the top ``k`` per row."""
    (left, right), table = sides, program.table
    rules, excluded = program.rules, program.keys
    n_left, n_right, block = len(left), len(right), pooling.block_rows
    out_l: list[IntArray] = []
    out_r: list[IntArray] = []
    out_s: list[FloatArray] = []
    for lo in range(0, n_left, block):
        pos = np.arange(lo, min(lo + block, n_left), dtype=np.int64)
        if postings is None:
            cols = np.broadcast_to(np.arange(n_right, dtype=np.int64), (len(pos), n_right))
            valid = np.ones(cols.shape, dtype=np.bool_)
        else:
            cols, valid = distinct_pooled_columns(table, left[pos], postings, n_right, pooling)
        lrows = left[pos][:, None]
        rrows = right[cols]
        valid &= table.feasible(rules, excluded, lrows, rrows)
        score: npt.NDArray[np.float32] = np.full(cols.shape, -np.inf, dtype=np.float32)
        lrows_full = np.broadcast_to(lrows, rrows.shape)
        score[valid] = table.scores(rules, lrows_full[valid], rrows[valid], symmetric=symmetric)
        if score.shape[1] > k:
            score, cols = _top_k(score, cols, k, tie_break)
        keep = np.isfinite(score)
        out_l.append(np.broadcast_to(pos[:, None], cols.shape)[keep])
        out_r.append(cols[keep])
        out_s.append(score[keep].astype(np.float32))
    el = np.concatenate(out_l) if out_l else np.zeros(0, dtype=np.int64)
    er = np.concatenate(out_r) if out_r else np.zeros(0, dtype=np.int64)
    sc = np.concatenate(out_s) if out_s else np.zeros(0, dtype=np.float32)
    return el, er, sc


def _filtered_exact(
    program: EncodedProgram,
    sides: tuple[IntArray, IntArray],
    k: int,
    tie_break: np.random.Generator,
    *,
    symmetric: bool,
) -> CandidateGraph:
    """The exact top-K (``exact_candidates``), with reach edges when bipartite."""
    (left, right), reach = sides, 0 if symmetric else EXACT_REACH
    edges = exact_top_k(
        program, left, right, symmetric=symmetric, k=k, tie_break=tie_break, reach=reach
    )
    return _graph(program.table, left, right, edges, symmetric, exhaustive=True)


def _graph(
    table: ParticipantTable,
    left: IntArray,
    right: IntArray,
    edges: tuple[IntArray, IntArray, FloatArray],
    symmetric: bool,
    *,
    exhaustive: bool,
) -> CandidateGraph:
    el, er, sc = edges
    if symmetric:
        el, er, sc = _undirected(el, er, sc, len(left))
    return CandidateGraph(table, left, right, el, er, sc, symmetric, exhaustive)


def _exact_by_default(table: ParticipantTable, pairs: int) -> bool:
    if pairs <= EXHAUSTIVE_PAIR_LIMIT:
        return True
    return pairs <= EXACT_PAIR_LIMIT and class_count(table) <= EXACT_CLASS_LIMIT


def _top_k(
    score: FloatArray, cols: IntArray, k: int, tie_break: np.random.Generator
) -> tuple[FloatArray, IntArray]:
    """The ``k`` best columns per row. Among equal scores pick at random, not by column:
    people who look alike (same level, same skills) would otherwise all list the same k
    candidates, and the solver could match no more people than those k cover."""
    jitter = tie_break.random(score.shape, dtype=np.float32) * TIE_BREAK
    top = np.argpartition(-(score + jitter), k - 1, axis=1)[:, :k]
    return np.take_along_axis(score, top, axis=1), np.take_along_axis(cols, top, axis=1)


def _undirected(
    el: IntArray, er: IntArray, sc: FloatArray, n: int
) -> tuple[IntArray, IntArray, FloatArray]:
    a, b = np.minimum(el, er), np.maximum(el, er)
    key = a * n + b
    _, first = np.unique(key, return_index=True)
    return a[first], b[first], sc[first]
