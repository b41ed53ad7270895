"""Pooled candidates: each left person against a pool drawn from skill postings and at
random, scored through the compiled filter.

A row's pool (``pooled_columns``): ``pool_per_skill`` people who offer each skill it
wants (all of them, cycled, when fewer) plus ``random_pool`` uniform people, so that
cross-criteria and people with rare wants still get candidates. The compiled filter
(``candidate_kernel.pool_rows``) scores the row's distinct pooled columns with the exact
filter's per-pair arithmetic (a few nanoseconds a pair, gathered by row) and keeps those
within ``2 * EPS`` of the row's K-th best (at most ``SURVIVORS_PER_K * K``: with more ties,
a random sample); only those get the canonical ``feasible`` and ``scores``, as in
``exact_candidates``. The top-K of each pool is therefore the one canonical scoring of the
whole pool gives (``candidates.generate_candidates(..., compiled_pool=False)``, the
specification), up to ties within ``TIE_BREAK``. Cost O(nL * P) pair evaluations, memory
O(block_rows * P + threads * nR)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from services.matcher.domain.candidate_filters import pool_block
from services.matcher.domain.candidate_layout import (
    class_table,
    person_classes,
    records,
    scoring,
    table_rows,
)
from services.matcher.domain.exact_candidates import (
    EPS,
    SURVIVORS_PER_K,
    TIE_BREAK,
    canonical_top_k,
    pipelined,
    survivor_pairs,
)
from services.matcher.domain.features import EncodedProgram, ParticipantTable

__all__ = ["Pooling", "Postings", "distinct_pooled_columns", "pooled_top_k", "skill_postings"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
Edges = tuple[IntArray, IntArray, FloatArray]


@dataclass(frozen=True, slots=True)
class Postings:
    """CSR: for each skill column, the right positions whose person offers it."""

    indptr: IntArray
    members: IntArray


@dataclass(frozen=True, slots=True)
class Pooling:
    """How pools are drawn: per wanted skill, at random, rows per block, the generator."""

    per_skill: int
    random: int
    block_rows: int
    rng: np.random.Generator

    def size(self, table: ParticipantTable) -> int:
        return table.wanted.shape[1] * self.per_skill + self.random


def pooled_top_k(
    program: EncodedProgram,
    sides: tuple[IntArray, IntArray],
    pooling: Pooling,
    k: int,
    *,
    symmetric: bool,
    tie_break: np.random.Generator,
    classes: IntArray | None = None,
) -> Edges:
    """(left position, right position, score) of each left row's ``k`` best feasible
    partners within its pool (``classes``: ``person_classes`` when already known). Pools
    are drawn block by block in order (the same draws as the numpy scoring's); a block is
    filtered while the one before it is scored canonically."""
    table, (left, right) = program.table, sides
    classes = person_classes(table) if classes is None else classes
    table_of_classes = class_table(program, classes, symmetric=symmetric)
    seed = int(tie_break.integers(2**62))
    how = scoring(
        program.rules, table_of_classes, symmetric=symmetric, tie_break=float(TIE_BREAK), seed=seed
    )
    by_row, by_position = table_rows(table, classes), records(table, right, classes)
    postings = skill_postings(table, right)
    cap = min(SURVIVORS_PER_K * k, pooling.size(table))

    def survivors(pos: IntArray) -> tuple[IntArray, FloatArray, tuple[IntArray, IntArray]]:
        pools = pooled_columns(table, left[pos], postings, len(right), pooling)
        cols = np.empty((len(pos), cap), dtype=np.int64)
        count = np.empty(len(pos), dtype=np.int64)
        threshold = np.empty(len(pos), dtype=np.float32)
        out = (cols, count, threshold)
        skips = pos if symmetric else np.full(len(pos), -1, dtype=np.int64)
        pool_block(by_row, by_position, left[pos], pos, skips, pools, how, k, EPS, out)
        return pools, threshold, survivor_pairs(cols, count)

    def judge(
        pos: IntArray, found: tuple[IntArray, FloatArray, tuple[IntArray, IntArray]]
    ) -> Edges:
        pools, threshold, pairs = found
        return canonical_top_k(
            program, sides, pos, (threshold, pairs), k, symmetric=symmetric, tie_break=tie_break,
            pools=pools,
        )  # fmt: skip

    step = pooling.block_rows
    blocks = [np.arange(lo, min(lo + step, len(left))) for lo in range(0, len(left), step)]
    parts = pipelined(blocks, survivors, judge)
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    rows, cols, score = zip(*parts, strict=True)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(score)


def skill_postings(table: ParticipantTable, right: IntArray) -> Postings:
    """Each skill column's right positions whose person offers it."""
    n_skills = table.proficiency.shape[1]
    pos, skill = np.nonzero(table.proficiency[right])
    order = np.argsort(skill, kind="stable")
    counts = np.bincount(skill, minlength=n_skills)
    counts[n_skills - 1] = 0  # padding column never has postings
    indptr = np.zeros(n_skills + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Postings(indptr, pos[order].astype(np.int64))


def distinct_pooled_columns(
    table: ParticipantTable, rows: IntArray, postings: Postings, n_right: int, pooling: Pooling
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Each row's pooled candidate columns, sorted, with repeats marked invalid."""
    cols = pooled_columns(table, rows, postings, n_right, pooling)
    cols.sort(axis=1)
    valid = np.ones(cols.shape, dtype=np.bool_)
    valid[:, 1:] = cols[:, 1:] != cols[:, :-1]
    return cols, valid


def pooled_columns(
    table: ParticipantTable, rows: IntArray, postings: Postings, n_right: int, pooling: Pooling
) -> IntArray:
    """Each row's pool (right positions, repeats possible), drawn from ``pooling.rng``."""
    wanted = table.wanted[rows]
    draws = pooling.rng.random((len(rows), wanted.shape[1], pooling.per_skill))
    uniform = pooling.rng.integers(0, n_right, size=(len(rows), pooling.random), dtype=np.int64)
    out = np.empty((len(rows), draws[0].size + pooling.random), dtype=np.int64)
    _fill_pools(wanted, draws, uniform, postings.indptr, postings.members, n_right, out)
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _fill_pools(wanted, draws, uniform, indptr, members, n_right, out):
    """Per row and wanted skill, ``per_skill`` people who offer it: all of them in turn
    when they are that few, else drawn at random (``draws`` in [0, 1)); anyone when nobody
    offers it. Then the row's ``uniform`` people."""
    n_rows, n_wanted, per_skill = draws.shape
    last = len(members) - 1
    for r in range(n_rows):
        at = 0
        for w in range(n_wanted):
            start, count = indptr[wanted[r, w]], indptr[wanted[r, w] + 1] - indptr[wanted[r, w]]
            for q in range(per_skill):
                if count == 0 or last < 0:
                    out[r, at] = np.int64(draws[r, w, q] * n_right)
                elif count <= per_skill:
                    out[r, at] = members[min(start + q % count, last)]
                else:
                    out[r, at] = members[min(start + np.int64(draws[r, w, q] * count), last)]
                at += 1
        out[r, at:] = uniform[r]
