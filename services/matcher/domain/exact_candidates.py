"""Exact top-K candidates for programs too large to score every pair canonically.

Every left x right pair goes through a cheap vectorised filter that computes the same
score from precomputed columns: the proficiency and topic rows of the right people,
summed per left person (skills, goals), a class table for what depends only on a
person's department, unit, location, hours and languages (cross-department,
diversity, availability and the hard constraints on them), seniority broadcast.
Per left person the filter keeps every pair within ``EPS`` of a threshold that is
never above its K-th best filtered score (the K-th best of strided column maxima);
only those pairs get the canonical ``feasible`` and ``scores`` of ``ParticipantTable``.
A row whose K-th best canonical score falls under the threshold (its best filtered
partners were in one reporting chain or excluded) is scored in full. The top-K is
therefore the exhaustive one; ties are broken at random as there.

Cost O(nL * nR) cheap column operations in blocks, plus O(survivors) canonical
scoring; memory O(block_pairs + (S + topics) * nR + classes^2)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matcher.domain.features import EncodedProgram, ParticipantTable
from services.matcher.domain.rules import Criterion, HardConstraint

__all__ = ["TIE_BREAK", "class_count", "exact_top_k"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
Edges = tuple[IntArray, IntArray, FloatArray]

#: Far below a score's resolution (1 / WEIGHT_SCALE): reorders only (near-)ties.
TIE_BREAK = np.float32(1e-5)
#: Far above float32 rounding of a score (<= 1e-5), far below a score's resolution.
EPS = np.float32(1e-3)
WORKERS = 2
CLASS_CHUNK = 128
#: Hard constraints decided by a person's class alone (see ``_class_keys``).
CLASS_CONSTRAINTS = (
    HardConstraint.DIFFERENT_DEPARTMENT,
    HardConstraint.DIFFERENT_BUSINESS_UNIT,
    HardConstraint.WORKING_HOURS_OVERLAP,
    HardConstraint.SHARED_LANGUAGE,
)
CLASS_CRITERIA = (Criterion.CROSS_DEPARTMENT, Criterion.DIVERSITY, Criterion.AVAILABILITY)


@dataclass(frozen=True, slots=True)
class _Columns:
    """The right side in class order (``order[col]`` is the right position of a column)."""

    order: IntArray
    column_of: IntArray
    rows: IntArray
    run_lengths: IntArray
    proficiency: npt.NDArray[np.uint8]
    topics: npt.NDArray[np.uint8]
    wants: npt.NDArray[np.uint8]
    wants_scale: FloatArray
    topic_count: FloatArray


def exact_top_k(
    program: EncodedProgram,
    left: IntArray,
    right: IntArray,
    *,
    symmetric: bool,
    k: int,
    tie_break: np.random.Generator,
    block_pairs: int = 4_000_000,
) -> Edges:
    """(left position, right position, score) of each left row's ``k`` best feasible partners.

    Blocks are filtered on ``WORKERS`` threads (numpy releases the GIL on whole-block
    operations); their survivors are scored and tie-broken in block order, so the
    result does not depend on the threads."""
    table = program.table
    classes = _classes(table)
    cat = _class_table(program, classes, symmetric=symmetric)
    cols = _columns(table, right, classes, len(cat))
    block = max(1, block_pairs // max(len(right), 1))

    def survivors(lo: int) -> tuple[IntArray, tuple[IntArray, IntArray], FloatArray]:
        pos = np.arange(lo, min(lo + block, len(left)), dtype=np.int64)
        filtered = _filtered_scores(program, left[pos], cols, cat[classes[left[pos]]], symmetric)
        if symmetric:
            filtered[np.arange(len(pos)), cols.column_of[pos]] = -np.inf
        threshold = _threshold(filtered, k)
        floor = np.where(np.isfinite(threshold), threshold - 2 * EPS, np.finfo(np.float32).min)
        rows, col = np.nonzero(filtered >= floor[:, None])
        return pos, (rows, cols.order[col]), threshold

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        parts = [
            _canonical_top_k(program, left, right, pos, pairs, threshold, k, symmetric, tie_break)
            for pos, pairs, threshold in pool.map(survivors, range(0, len(left), block))
        ]
    return _concat(parts)


def _classes(table: ParticipantTable) -> IntArray:
    """Class of each table row: the fields the class-level criteria and constraints read."""
    keys = np.column_stack(
        [
            table.department,
            table.business_unit,
            table.location,
            table.start_utc.view(np.int32).astype(np.int64),
            table.end_utc.view(np.int32).astype(np.int64),
            table.languages.view(np.int64),
        ]
    )
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    return np.asarray(inverse, dtype=np.int64).ravel()


def _class_table(program: EncodedProgram, classes: IntArray, *, symmetric: bool) -> FloatArray:
    """Weighted class-level criteria of every class pair, ``-inf`` where a class-level
    constraint fails. Computed with the table's own functions on one row per class,
    ``CLASS_CHUNK`` classes at a time (their temporaries are (chunk x classes x wanted))."""
    table, rules = program.table, program.rules
    _, first = np.unique(classes, return_index=True)
    weights = rules.weights.as_dict()
    out = np.zeros((len(first), len(first)), dtype=np.float32)
    b = first[None, :]
    for lo in range(0, len(first), CLASS_CHUNK):
        a = first[lo : lo + CLASS_CHUNK, None]
        part = out[lo : lo + CLASS_CHUNK]
        raw = table.raw_criteria(a, b, symmetric=symmetric)
        for crit in CLASS_CRITERIA:
            part += raw[crit] * np.float32(weights[crit])
        for c in rules.active_constraints():
            if c in CLASS_CONSTRAINTS:
                part[~table.satisfies(c, rules, program.keys, a, b)] = -np.inf
    return out


def class_count(table: ParticipantTable) -> int:
    """How many classes the filter's class table has rows for (its size is the square)."""
    return int(_classes(table).max(initial=-1)) + 1


def _columns(table: ParticipantTable, right: IntArray, classes: IntArray, n: int) -> _Columns:
    order = np.argsort(classes[right], kind="stable")
    rows = right[order]
    topic_bits = np.unpackbits(table.topics[rows].view(np.uint8), axis=1, bitorder="little")
    wants = np.zeros((table.proficiency.shape[1], len(rows)), dtype=np.uint8)
    col = np.broadcast_to(np.arange(len(rows))[:, None], table.wanted[rows].shape)
    wants[table.wanted[rows], col] = 1
    wants[-1] = 0  # the padding skill
    return _Columns(
        order=order,
        column_of=np.argsort(order),
        rows=rows,
        run_lengths=np.bincount(classes[rows], minlength=n),
        proficiency=np.ascontiguousarray(table.proficiency[rows].T),
        topics=np.vstack([topic_bits.T, np.zeros((1, len(rows)), dtype=np.uint8)]),
        wants=wants,
        wants_scale=np.float32(1.0)
        / np.maximum(5.0 * table.wanted_count[rows], 1.0).astype(np.float32),
        topic_count=table.topic_count[rows].astype(np.float32),
    )


def _filtered_scores(
    program: EncodedProgram,
    rows: IntArray,
    cols: _Columns,
    class_rows: FloatArray,
    symmetric: bool,
) -> FloatArray:
    """The score of every (row, column) pair, within float rounding of the canonical one,
    ``-inf`` where a class-level constraint or seniority fails."""
    table, rules = program.table, program.rules
    weights = rules.weights.as_dict()
    skills = _skill_fit(table, rows, cols, symmetric)
    total = np.repeat(class_rows, cols.run_lengths, axis=1)
    skills *= np.float32(weights[Criterion.SKILLS])
    total += skills
    goals = _goals(table, rows, cols)
    goals *= np.float32(weights[Criterion.GOALS])
    total += goals
    if HardConstraint.SENIORITY in rules.active_constraints():
        ok = table.satisfies(
            HardConstraint.SENIORITY, rules, program.keys, rows[:, None], cols.rows[None, :]
        )
        np.copyto(total, np.float32(-np.inf), where=~ok)
    return total


def _skill_fit(
    table: ParticipantTable, rows: IntArray, cols: _Columns, symmetric: bool
) -> FloatArray:
    """``ParticipantTable.skill_fit`` for every pair: sums of whole proficiency rows."""
    sums = _row_sums(cols.proficiency, table.wanted[rows]).astype(np.float32)
    scale = np.maximum(5.0 * table.wanted_count[rows], 1.0).astype(np.float32)
    fit = np.divide(sums, scale[:, None], out=sums)
    if not symmetric:
        return fit
    back = np.empty_like(fit)
    for i, row in enumerate(rows):
        skills = np.flatnonzero(table.proficiency[row, :-1])
        level = table.proficiency[row, skills].astype(np.float32)
        back[i] = (level @ cols.wants[skills]) * cols.wants_scale
    fit += back
    fit *= np.float32(0.5)
    return fit


def _row_sums(matrix: npt.NDArray[np.uint8], index: IntArray) -> npt.NDArray[np.uint8]:
    """``matrix[index].sum(axis=1)`` one index column at a time (whole rows, uint8)."""
    out = matrix[index[:, 0]]
    for j in range(1, index.shape[1]):
        out += matrix[index[:, j]]
    return out


def _goals(table: ParticipantTable, rows: IntArray, cols: _Columns) -> FloatArray:
    """Jaccard overlap of topics for every pair: sums of whole topic rows."""
    bits = np.unpackbits(table.topics[rows].view(np.uint8), axis=1, bitorder="little")
    pad = cols.topics.shape[0] - 1
    width = max(1, int(bits.sum(axis=1).max(initial=1)))
    index = np.full((len(rows), width), pad, dtype=np.int64)
    r, t = np.nonzero(bits)
    index[r, np.arange(len(r)) - np.searchsorted(r, r)] = t
    inter = _row_sums(cols.topics, index).astype(np.float32)
    union = table.topic_count[rows].astype(np.float32)[:, None] + cols.topic_count[None, :]
    union -= inter
    np.maximum(union, np.float32(1.0), out=union)
    return np.divide(inter, union, out=inter)


def _threshold(filtered: FloatArray, k: int) -> FloatArray:
    """Per row a value no higher than its k-th best: the k-th best of the maxima of
    ``4k`` strided column groups (k distinct pairs reach it). ``-inf`` if fewer exist."""
    n_rows, n_cols = filtered.shape
    groups = 4 * k
    if n_cols < 2 * groups:
        return np.full(n_rows, -np.inf, dtype=np.float32)
    whole = filtered[:, : n_cols - n_cols % groups].reshape(n_rows, -1, groups)
    maxima = whole.max(axis=1)
    return np.partition(maxima, groups - k, axis=1)[:, groups - k]


def _canonical_top_k(
    program: EncodedProgram,
    left: IntArray,
    right: IntArray,
    pos: IntArray,
    pairs: tuple[IntArray, IntArray],
    threshold: FloatArray,
    k: int,
    symmetric: bool,
    tie_break: np.random.Generator,
) -> Edges:
    """Canonical scores of the surviving pairs, the top ``k`` per row; a row whose k-th
    best is under its threshold (``- EPS``) is scored against every column instead."""
    table, rules = program.table, program.rules
    rows, col = pairs
    lrows, rrows = left[pos[rows]], right[col]
    ok = table.feasible(rules, program.keys, lrows, rrows)
    rows, col = rows[ok], col[ok]
    score = table.scores(rules, lrows[ok], rrows[ok], symmetric=symmetric)
    clear = score >= threshold[rows] - EPS
    proven = (np.bincount(rows[clear], minlength=len(pos)) >= k) | ~np.isfinite(threshold)
    redo = np.flatnonzero(~proven)
    keep = proven[rows]
    rows, col, score = rows[keep], col[keep], score[keep]
    for r in redo:
        me = np.full(len(right), left[pos[r]])
        feasible = np.flatnonzero(table.feasible(rules, program.keys, me, right))
        rows = np.concatenate([rows, np.full(len(feasible), r)])
        col = np.concatenate([col, feasible])
        full = table.scores(rules, me[feasible], right[feasible], symmetric=symmetric)
        score = np.concatenate([score, full])
    return _segment_top_k(pos[rows], col, score, k, tie_break)


def _segment_top_k(
    rows: IntArray, cols: IntArray, score: FloatArray, k: int, tie_break: np.random.Generator
) -> Edges:
    """The ``k`` best per row, equal scores in random order (``candidates._top_k``)."""
    jitter = tie_break.random(len(score), dtype=np.float32) * TIE_BREAK
    order = np.lexsort((-(score + jitter), rows))
    rows, cols, score = rows[order], cols[order], score[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    keep = rank < k
    return rows[keep], cols[keep], score[keep].astype(np.float32)


def _concat(parts: list[Edges]) -> Edges:
    rows, cols, score = zip(*parts, strict=True) if parts else ([_NONE], [_NONE], [_NO_SCORE])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(score)


_NONE, _NO_SCORE = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
