"""The compiled pair filter of ``exact_candidates``: every (left, right) pair, no temporaries.

Per pair it reads precomputed columns only (the class table, proficiency gathers, topic
popcounts, seniority bounds) and computes the score within float rounding of the canonical
``ParticipantTable.scores``, one left row against a tile of right columns at a time in
simple loops without branches on a pair (the compiler vectorises them). Per left row it
keeps a running best list (a min-heap of ``cap`` entries); at the end the row's K-th best
is its threshold and every entry within ``2 * eps`` of it survives, for the caller to
judge canonically. Equal scores enter the list in a random order: each pair near the
list's floor gets a jitter under ``tie_break`` from a hash of (row, column, seed), so a
row with more ties than ``cap`` keeps a random sample of them (not the first columns),
and its memory stays ``cap`` whatever the population (people who all look alike).
Optionally it keeps, per right column, the ``reach`` best left rows seen (the right
side's own list).

Memory traffic decides the speed at 100k: the right side is stored by column (one
contiguous array per field, skill and topic word, narrow types), and a group of left rows
goes over one tile of columns at a time, so a tile comes from memory once per group and
from cache for the group's other rows. Tiles that a row's class cannot pair with (hours,
languages: the columns are sorted by start hour) are skipped. Threads own whole chunks of
rows, hence their own column heaps (no races). Compiled once and cached on disk
(``cache=True``); threads, not ``parallel=True``: it compiles ten times faster."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["TILE", "ColumnHeaps", "Columns", "Rows", "Scoring", "filter_block"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

#: Left rows that share one pass over a tile, and the tile's width in columns.
GROUP, TILE = 16, 1024
THREADS = len(os.sched_getaffinity(0))
#: Reordered float arithmetic (within rounding, far inside ``eps``), but with infinities:
#: ``-inf`` marks an infeasible pair.
FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}
_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)
_ONE, _TWO, _FOUR, _TOP = np.uint64(1), np.uint64(2), np.uint64(4), np.uint64(56)
_NEG = np.float32(-np.inf)
_MIX1, _MIX2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9)
_MIX3, _S31, _S27 = np.uint64(0x94D049BB133111EB), np.uint64(31), np.uint64(27)
_UNIT = 1.0 / 2.0**53


class Rows(NamedTuple):
    """Every table row's fields, row by row (the left person's, read once per row)."""

    level: IntArray
    hire_day: IntArray
    klass: IntArray
    proficiency: npt.NDArray[np.uint8]
    wanted: IntArray
    inverse_scale: FloatArray
    topics: npt.NDArray[np.uint64]
    topic_count: IntArray


class Columns(NamedTuple):
    """The right side's fields, one contiguous array per field, skill and topic word, in
    an order where people whose hours and languages fit the same rows sit together
    (``position[col]`` is a column's right position), and ``reachable[class, tile]``: a
    class-level rule lets rows of that class pair with someone in the tile."""

    level: npt.NDArray[np.int32]
    hire_day: npt.NDArray[np.int32]
    klass: npt.NDArray[np.int32]
    proficiency: npt.NDArray[np.uint8]
    wanted: npt.NDArray[np.int32]
    inverse_scale: FloatArray
    topics: npt.NDArray[np.uint64]
    topic_count: FloatArray
    position: IntArray
    reachable: npt.NDArray[np.bool_]


class Scoring(NamedTuple):
    """How a pair is scored: the class table (``-inf`` where a class-level rule fails),
    the skill and goal weights, whether skills count both ways (peers),
    ``HardConstraint.SENIORITY`` as numbers (mode 0 level, 1 tenure, 2 either, 3 both),
    and the order of equal scores (``tie_break``: the largest jitter, ``seed``: its hash)."""

    class_table: FloatArray
    weights: FloatArray
    symmetric: bool
    seniority: bool
    seniority_mode: int
    min_level_gap: int
    min_tenure_gap_days: int
    tie_break: float
    seed: int


class ColumnHeaps(NamedTuple):
    """Per thread and right column, a min-heap of the best (filtered score, left id)."""

    score: FloatArray
    left: IntArray
    floor: FloatArray

    @staticmethod
    def empty(n_right: int, reach: int) -> ColumnHeaps:
        columns = n_right if reach else 0
        return ColumnHeaps(
            np.full((THREADS, columns, reach), -np.inf, dtype=np.float32),
            np.full((THREADS, columns, reach), -1, dtype=np.int64),
            np.full((THREADS, columns), -np.inf, dtype=np.float32),
        )


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _popcount(x: np.uint64) -> np.uint64:
    x = x - ((x >> _ONE) & _M1)
    x = (x & _M2) + ((x >> _TWO) & _M2)
    x = (x + (x >> _FOUR)) & _M4
    return (x * _H01) >> _TOP


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _jitter(row: int, col: int, seed: int) -> float:
    """A uniform number in [0, 1) from (row, column, seed): splitmix64's finaliser."""
    x = np.uint64(row) * _MIX1 + np.uint64(col) * _MIX2 + np.uint64(seed)
    x = (x ^ (x >> _S31)) * _MIX3
    x = (x ^ (x >> _S27)) * _MIX2
    return float(x >> np.uint64(11)) * _UNIT


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _seniority_limits(how: Scoring, a: Rows, i: int) -> tuple[np.int32, np.int32, bool]:
    """Row ``i``'s seniority rule as bounds on the columns: a right person passes with
    ``level <= max_level`` or (``both``: and) ``hire_day >= min_hire_day``; a bound a
    mode does not use never passes (or, when seniority is off, always passes)."""
    never_level, never_hire = np.iinfo(np.int32).min, np.iinfo(np.int32).max
    if not how.seniority:  # every level is at most the largest one
        return np.int32(never_hire), np.int32(never_hire), False
    mode = how.seniority_mode
    lvl = a.level[i] - how.min_level_gap if mode != 1 else never_level
    hire = a.hire_day[i] + how.min_tenure_gap_days if mode != 0 else never_hire
    return np.int32(lvl), np.int32(hire), mode == 3


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _skill_fit(a, i, b, lo, hi, sym, fit, back):
    """``ParticipantTable.skill_fit`` (averaged both ways among peers) into ``fit``."""
    n = hi - lo
    fit[:] = 0.0
    for w in range(a.wanted.shape[1]):
        prof = b.proficiency[a.wanted[i, w], lo:hi]
        for j in range(n):
            fit[j] += np.float32(prof[j])
    for j in range(n):
        fit[j] *= a.inverse_scale[i]
    if not sym:
        return
    back[:] = 0.0
    mine = a.proficiency[i]
    for w in range(b.wanted.shape[0]):
        wanted = b.wanted[w, lo:hi]
        for j in range(n):
            back[j] += np.float32(mine[wanted[j]])
    for j in range(n):
        fit[j] = (fit[j] + back[j] * b.inverse_scale[lo + j]) * np.float32(0.5)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tile_scores(a, i, b, lo, hi, how, scratch):
    """Filtered scores of row ``i`` against columns ``lo:hi`` into ``scratch[2]``, ``-inf``
    where a class-level constraint or seniority fails. One simple loop per skill and topic
    word over contiguous columns, no branch on a pair, so the compiler can use vector
    instructions (a mispredicted branch costs more than computing a pair)."""
    n, weights = hi - lo, how.weights
    fit, inter, out = scratch[0, :n], scratch[1, :n], scratch[2, :n]
    _skill_fit(a, i, b, lo, hi, how.symmetric, fit, out)
    inter[:] = 0.0
    for w in range(a.topics.shape[1]):
        topics, word = b.topics[w, lo:hi], a.topics[i, w]
        for j in range(n):
            inter[j] += np.float32(_popcount(word & topics[j]))
    max_level, min_hire, both = _seniority_limits(how, a, i)
    base_row, count = how.class_table[a.klass[i]], np.float32(a.topic_count[i])
    klass, level, hire = b.klass[lo:hi], b.level[lo:hi], b.hire_day[lo:hi]
    topic_count, one = b.topic_count[lo:hi], np.float32(1.0)
    for j in range(n):  # a gather: in a loop of its own, the next one vectorises
        out[j] = base_row[klass[j]]
    for j in range(n):
        union = count + topic_count[j] - inter[j]
        union = union if union > one else one
        s = out[j] + weights[0] * fit[j] + weights[1] * (inter[j] / union)
        by_level, by_hire = level[j] <= max_level, hire[j] >= min_hire
        ok = (by_level & by_hire) if both else (by_level | by_hire)
        out[j] = s if ok else _NEG
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _push(score: npt.NDArray[np.floating], ids: IntArray, s: float, ident: int) -> None:
    """Replace the root of a full min-heap by (s, ident) and sift it down."""
    n, at = len(score), 0
    while True:
        child = 2 * at + 1
        if child >= n:
            break
        if child + 1 < n and score[child + 1] < score[child]:
            child += 1
        if score[child] >= s:
            break
        score[at], ids[at] = score[child], ids[child]
        at = child
    score[at], ids[at] = s, ident


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _row_tile(a, i, b, lo, hi, how, skip, top, top_ids, heaps, t, ident, scratch):
    """Columns ``lo:hi`` of table row ``i`` into its best list; with ``heaps`` of non-zero
    width, the row offered to each of those columns' heaps."""
    scores = _tile_scores(a, i, b, lo, hi, how, scratch)
    if lo <= skip < hi:
        scores[skip - lo] = _NEG
    reach, tie_break = heaps.score.shape[2], how.tie_break
    for j in range(hi - lo):
        s = scores[j]
        if s + tie_break > top[0]:  # rarely, once the list is full: then a random order
            keyed = s + tie_break * _jitter(ident, lo + j, how.seed)
            if keyed > top[0]:
                _push(top, top_ids, keyed, lo + j)
        if reach and s > heaps.floor[t, lo + j]:
            _push(heaps.score[t, lo + j], heaps.left[t, lo + j], s, ident)
            heaps.floor[t, lo + j] = heaps.score[t, lo + j, 0]


@njit(cache=True, nogil=True, error_model="numpy")
def _finish_row(top, top_ids, k, eps, out_cols, out_count, out_thr, r):
    """The row's threshold (its K-th best, ``-inf`` with fewer) and its survivors; a count
    of ``cap + 1`` when the best list is full within ``2 * eps`` (a sample of the ties)."""
    order = np.argsort(-top)
    thr = top[order[k - 1]] if k <= len(top) else _NEG
    floor = thr - 2 * eps if thr > _NEG else _NEG
    count = 0
    for o in order:
        if top[o] > _NEG and top[o] >= floor:
            out_cols[r, count] = top_ids[o]
            count += 1
    full = top[order[-1]] > _NEG and top[order[-1]] >= floor
    out_count[r] = count + 1 if full else count
    out_thr[r] = thr


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FAST)
def _filter_rows(a, rows, idents, skips, b, how, k, eps, heaps, t, out_cols, out_count, out_thr):
    """``filter_block`` for the rows of thread ``t``: a group of rows at a time goes over
    one tile of columns at a time (tiles no class-level rule lets a row reach skipped)."""
    threads, n_cols = heaps.floor.shape[0], len(b.level)
    n_rows, cap = len(rows), out_cols.shape[1]
    top = np.empty((GROUP, cap), dtype=np.float64)  # jitter finer than a float32 step
    top_ids = np.empty((GROUP, cap), dtype=np.int64)
    scratch = np.empty((3, TILE), dtype=np.float32)
    end = (t + 1) * n_rows // threads
    for g in range(t * n_rows // threads, end, GROUP):
        top[:] = _NEG
        for lo in range(0, n_cols, TILE):
            hi = min(lo + TILE, n_cols)
            for r in range(g, min(g + GROUP, end)):
                if b.reachable[a.klass[rows[r]], lo // TILE]:
                    _row_tile(a, rows[r], b, lo, hi, how, skips[r], top[r - g], top_ids[r - g],
                              heaps, t, idents[r], scratch)  # fmt: skip
        for r in range(g, min(g + GROUP, end)):
            _finish_row(top[r - g], top_ids[r - g], k, eps, out_cols, out_count, out_thr, r)


def filter_block(
    a: Rows,
    rows: IntArray,
    idents: IntArray,
    skips: IntArray,
    b: Columns,
    how: Scoring,
    k: int,
    eps: np.float32,
    heaps: ColumnHeaps,
    out: tuple[IntArray, IntArray, FloatArray],
) -> None:
    """For each table row ``rows[r]``: its K-th best filtered score (``-inf`` with fewer
    than ``k`` feasible columns) into ``out[2][r]``, and the columns scoring at least that
    less ``2 * eps`` into ``out[0][r]`` (``out[1][r]`` of them; more than
    ``out[0].shape[1]`` when they did not all fit: then ``out[0][r]`` is the best of them
    with equal scores in a random order). ``idents[r]`` is what the column heaps record for the row;
    ``skips[r]`` a column to pass over (the row itself among peers) or -1. One thread per
    core, each on its share of the rows with its own column heaps (the kernel drops the GIL)."""
    threads, (cols, count, threshold) = heaps.floor.shape[0], out
    with ThreadPoolExecutor(max_workers=threads) as pool:
        done = [
            pool.submit(
                _filter_rows,
                a,
                rows,
                idents,
                skips,
                b,
                how,
                k,
                eps,
                heaps,
                t,
                cols,
                count,
                threshold,
            )  # fmt: skip
            for t in range(threads)
        ]
    for future in done:
        future.result()
