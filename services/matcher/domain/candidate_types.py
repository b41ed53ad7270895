"""What the compiled candidate kernels (``candidate_kernel``) read and write: plain
arrays in named tuples, built by ``candidate_layout``."""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = ["THREADS", "ColumnHeaps", "Columns", "PairLists", "Records", "Rows", "Scoring"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

THREADS = len(os.sched_getaffinity(0))


class Rows(NamedTuple):
    """Every table row's fields, row by row (the left person's, read once per row; in the
    pooled pass also the right person's, whose columns are gathered), and the skills each
    row offers (``owned[i, :owned_count[i]]``, its nonzero proficiencies)."""

    level: IntArray
    hire_day: IntArray
    klass: IntArray
    proficiency: npt.NDArray[np.uint8]
    wanted: IntArray
    inverse_scale: FloatArray
    topics: npt.NDArray[np.uint64]
    topic_count: IntArray
    owned: npt.NDArray[np.int32]
    owned_count: IntArray


class Columns(NamedTuple):
    """The right side's fields, one contiguous array per field, skill and topic word, in
    an order where people whose hours and languages fit the same rows sit together
    (``position[col]`` is a column's right position), ``reachable[class, tile]``: a
    class-level rule lets rows of that class pair with someone in the tile, and
    ``wanting[skill, col]``: how often the column's wanted skills name the skill (what a
    row offers the column is then a few contiguous passes, one per skill the row owns);
    ``class_end[col]``: where the run of columns of the column's class ends."""

    level: npt.NDArray[np.int32]
    hire_day: npt.NDArray[np.int32]
    klass: npt.NDArray[np.int32]
    proficiency: npt.NDArray[np.uint8]
    inverse_scale: FloatArray
    topics: npt.NDArray[np.uint64]
    topic_count: FloatArray
    position: IntArray
    reachable: npt.NDArray[np.bool_]
    wanting: npt.NDArray[np.uint8]
    class_end: IntArray


class Records(NamedTuple):
    """The right side for the pooled filter, by right position: what a pair reads of the
    right person in one cache line (``fields``: class, level, hire day, topic count,
    wanted count, the wanted skills, then each topic word as two int32 halves), and what
    they offer by skill (``by_skill``: skills x right positions)."""

    fields: npt.NDArray[np.int32]
    by_skill: npt.NDArray[np.uint8]


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


class PairLists(NamedTuple):
    """Per person (a row; among peers also a column): its k best filtered scores (``kth``,
    a min-heap), its best list (min-heap of jittered filtered score, column: a float64, the
    jitter is finer than a float32 step) of the pairs that may survive, and its gate (the
    lowest score that can change them) in an array of its own: the filter reads the gates
    of a tile's columns one after the other."""

    kth: FloatArray
    score: npt.NDArray[np.float64]
    ids: npt.NDArray[np.int32]
    gate: npt.NDArray[np.float64]

    @staticmethod
    def empty(n: int, k: int, cap: int) -> PairLists:
        return PairLists(
            np.full((n, k), -np.inf, dtype=np.float32),
            np.full((n, cap), -np.inf),
            np.zeros((n, cap), dtype=np.int32),
            np.full(n, -np.inf),
        )
