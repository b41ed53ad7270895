"""The compiled candidate filters (``candidate_kernel``) on every core: one thread per
core, each on its share of the rows (the kernels drop the GIL), with its own column heaps
and marks."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

from services.matcher.domain.candidate_kernel import filter_rows, pool_rows
from services.matcher.domain.candidate_types import (
    THREADS,
    ColumnHeaps,
    Columns,
    Records,
    Rows,
    Scoring,
)

__all__ = ["filter_block", "pool_block"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


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
    with equal scores in a random order). ``idents[r]`` is what the column heaps record for
    the row; ``skips[r]`` a column to pass over (the row itself among peers) or -1. One
    thread per core, each on its share of the rows with its own column heaps."""
    args = (a, rows, idents, skips, b, how, k, eps, heaps, *out)
    _every_core(lambda t: filter_rows(*args, t), heaps.floor.shape[0])


def pool_block(
    a: Rows,
    rec: Records,
    rows: IntArray,
    idents: IntArray,
    skips: IntArray,
    pools: IntArray,
    how: Scoring,
    k: int,
    eps: np.float32,
    out: tuple[IntArray, IntArray, FloatArray],
) -> None:
    """``filter_block`` over each row's pooled right positions ``pools[r]`` (repeats
    allowed) instead of every column, the right side read from its records ``rec``:
    ``out[0]`` holds right positions; ``idents[r]`` seeds the row's order of ties."""
    args, chunks = (a, rec, rows, idents, skips, pools, how, k, eps, *out), 4 * THREADS
    _every_core(lambda t: pool_rows(*args, t, chunks), chunks)


def _every_core(kernel: Callable[[int], None], parts: int) -> None:
    """``kernel(t)`` for each part ``t``, a thread per core (the kernels drop the GIL).
    The pooled filter cuts its rows in more parts than cores: on a busy machine a core
    that falls behind then holds up less of the block."""
    with ThreadPoolExecutor(max_workers=min(parts, THREADS)) as pool:
        done = [pool.submit(kernel, t) for t in range(parts)]
    for future in done:
        future.result()
