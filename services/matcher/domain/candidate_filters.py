"""The compiled candidate filters (``candidate_kernel``) on every core: one thread per
core, each on its share of the rows (the kernels drop the GIL), with its own column heaps
and marks; among peers each on its share of the columns, with its own rows' lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from services.matcher.domain.candidate_kernel import filter_pairs, finish_pairs, pool_rows
from services.matcher.domain.candidate_types import (
    THREADS,
    ColumnHeaps,
    Columns,
    PairLists,
    Records,
    Rows,
    Scoring,
)

__all__ = [
    "filter_block",
    "pairs_block",
    "pairs_within_blocks",
    "pipelined",
    "pool_block",
    "survivor_pairs",
]

#: Rows of a thread that share one pass over a tile between mentees and mentors (their
#: lists stay in cache over every tile). Among peers every row of a task shares it (the
#: tile's columns' lists stay in cache) and there are no column heaps.
GROUP = 16
_ALL_AT_ONCE = (ColumnHeaps.empty(0, 0), 0, 1 << 40)
#: Parts of the columns per core among peers: a core that falls behind holds up less.
PAIR_PARTS_PER_CORE = 1

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
_Block = TypeVar("_Block")
_Found = TypeVar("_Found")
_Judged = TypeVar("_Judged")


def filter_block(
    a: Rows,
    rows: IntArray,
    idents: IntArray,
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
    the row. One thread per core, each on its share of the rows with its own column heaps."""
    n_rows, threads = len(rows), heaps.floor.shape[0]
    lists = PairLists.empty(n_rows, k, out[0].shape[1])

    def share(t: int) -> None:
        part, every = (t * n_rows // threads, (t + 1) * n_rows // threads), (0, len(b.level))
        filter_pairs(a, rows, idents, b, how, eps, lists, 0, part, every, heaps, t, GROUP)

    _every_core(share, threads)
    _every_core(lambda t: finish_pairs(lists, 0, k, eps, *out, t, THREADS), THREADS)


def pairs_block(
    a: Rows,
    rows: IntArray,
    b: Columns,
    how: Scoring,
    first: int,
    lists: PairLists,
    k: int,
    eps: np.float32,
    out: tuple[IntArray, IntArray, FloatArray],
) -> None:
    """``filter_block`` among peers (``b`` the same people as the rows) for the rows at
    columns ``first:first + len(rows)``, every pair scored once: each row against the
    columns after its own, the pair offered to both people's lists (``lists``). A row's
    lists hold what the rows before it offered, so once its block has passed they are
    complete (the pairs within the block passed first: ``pairs_within_blocks``). Tasks
    run at once only on disjoint people: in phases, part ``t`` of the rows meets part
    ``t + phase`` of the columns."""
    n_rows, parts = len(rows), PAIR_PARTS_PER_CORE * THREADS
    row_cuts = np.linspace(0, n_rows, parts + 1).astype(np.int64).tolist()
    col_cuts = np.linspace(first + n_rows, len(b.level), parts + 1).astype(np.int64).tolist()

    idents = b.position[first : first + n_rows]

    def task(t: int, phase: int) -> None:
        u = (t + phase) % parts
        row_part, col_part = (row_cuts[t], row_cuts[t + 1]), (col_cuts[u], col_cuts[u + 1])
        filter_pairs(a, rows, idents, b, how, eps, lists, first, row_part, col_part, *_ALL_AT_ONCE)

    for phase in range(parts):
        _every_core(partial(task, phase=phase), parts)
    _every_core(lambda t: finish_pairs(lists, first, k, eps, *out, t, THREADS), THREADS)


def pairs_within_blocks(
    a: Rows, rows: IntArray, b: Columns, how: Scoring, size: int, lists: PairLists, eps: np.float32
) -> None:
    """The pairs among the rows of each block of ``size`` columns (``rows[c]`` the table
    row at column ``c``), blocks on every core (they share no one). Before the pairs
    across blocks: a person's lists then start from its best among people of about its
    hours and languages, and far fewer later pairs pass their gate."""

    def block(first: int) -> None:
        last = min(first + size, len(rows))
        block_rows, idents = rows[first:last], b.position[first:last]
        span, part = (first, last), (0, last - first)
        filter_pairs(a, block_rows, idents, b, how, eps, lists, first, part, span, *_ALL_AT_ONCE)

    _every_core(lambda t: block(t * size), -(-len(rows) // size))


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
    chunks = 4 * THREADS
    args = (
        a,
        rec,
        rows,
        idents,
        skips,
        pools,
        how,
        eps,
        PairLists.empty(chunks, k, out[0].shape[1]),
        *out,
    )
    _every_core(lambda t: pool_rows(*args, t, chunks), chunks)


def _every_core(kernel: Callable[[int], None], parts: int) -> None:
    """``kernel(t)`` for each part ``t``, a thread per core (the kernels drop the GIL).
    The pooled filter cuts its rows in more parts than cores: on a busy machine a core
    that falls behind then holds up less of the block."""
    with ThreadPoolExecutor(max_workers=min(parts, THREADS)) as pool:
        done = [pool.submit(kernel, t) for t in range(parts)]
    for future in done:
        future.result()


def pipelined(
    blocks: Sequence[_Block],
    filter_: Callable[[_Block], _Found],
    judge: Callable[[_Block, _Found], _Judged],
) -> list[_Judged]:
    """``judge(block, filter_(block))`` for each block in order, the next block filtered
    (in a thread of its own: the compiled filter drops the GIL) while one is judged."""
    parts = []
    with ThreadPoolExecutor(max_workers=1) as ahead:
        pending = ahead.submit(filter_, blocks[0]) if blocks else None
        for n, block in enumerate(blocks):
            assert pending is not None
            found = pending.result()
            if n + 1 < len(blocks):
                pending = ahead.submit(filter_, blocks[n + 1])
            parts.append(judge(block, found))
    return parts


def survivor_pairs(cols: IntArray, count: IntArray) -> tuple[IntArray, IntArray]:
    """(row, column) of each row's surviving columns as a filter wrote them: ``count[r]``
    of ``cols[r]``, at most its width."""
    kept = np.minimum(count, cols.shape[1])
    rows = np.repeat(np.arange(len(count), dtype=np.int64), kept)
    return rows, cols[np.arange(cols.shape[1])[None, :] < kept[:, None]]
