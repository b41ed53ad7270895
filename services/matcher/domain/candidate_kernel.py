"""The compiled candidate filters: every (left, right) pair (``exact_candidates``) or each
left row's pooled columns (``pooled_candidates``). Per pair the canonical ``scores`` within
float rounding from precomputed fields, one arithmetic (``_pair_total``, ``_senior_enough``)
for a tile of columns or gathered records. Per person its k best scores and a best list
(min-heap of ``cap``) of the pairs within ``2 * eps`` of them, equal scores in a random order
(a jitter hashed from row, column and seed: more ties than ``cap`` leave a random sample).
A gate per person (the lowest score that can change its lists); the pairs past it index the
lists, never a row's view (numba counts a view's references). Speed: branch-free loops over
contiguous columns, wide tiles (a row's pass over a tile costs ~1 us besides its pairs); on
disk, threads (``parallel=True`` compiles ten times slower). All compiled code lives here."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["TILE", "filter_pairs", "finish_pairs", "pool_rows"]

#: The width in columns of a tile (of what a row's class can reach, of one pass of rows).
TILE = 4096
#: Reordered float arithmetic (within rounding, far inside ``eps``), with ``-inf`` (infeasible).
FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}
_M1, _M2 = np.uint64(0x5555555555555555), np.uint64(0x3333333333333333)
_M4, _H01 = np.uint64(0x0F0F0F0F0F0F0F0F), np.uint64(0x0101010101010101)
_ONE, _TWO, _FOUR, _TOP = np.uint64(1), np.uint64(2), np.uint64(4), np.uint64(56)
_NEG, _S31, _S27, _32 = np.float32(-np.inf), np.uint64(31), np.uint64(27), np.uint64(32)
_MIX1, _MIX2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9)
_MIX3, _UNIT = np.uint64(0x94D049BB133111EB), 1.0 / 2.0**53
_NEVER_LEVEL, _NEVER_HIRE = np.iinfo(np.int32).min, np.iinfo(np.int32).max  # 0.15 us in a kernel


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
def _seniority_limits(how, a, i):
    """Row ``i``'s seniority rule as bounds (``_senior_enough``; an unused one never passes)."""
    if not how.seniority:  # every level is at most the largest one
        return np.int32(_NEVER_HIRE), np.int32(_NEVER_HIRE), False
    mode = how.seniority_mode
    lvl = a.level[i] - how.min_level_gap if mode != 1 else _NEVER_LEVEL
    hire = a.hire_day[i] + how.min_tenure_gap_days if mode != 0 else _NEVER_HIRE
    return np.int32(lvl), np.int32(hire), mode == 3


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _skill_fit(a, i, b, lo, hi, sym, fit, total):
    """``ParticipantTable.skill_fit`` (both ways among peers) into ``fit``; exact sums."""
    n, scale = hi - lo, b.inverse_scale[lo:hi]
    total[:n] = 0
    for w in range(a.wanted.shape[1]):
        prof = b.proficiency[a.wanted[i, w], lo:hi]
        for j in range(n):
            total[j] += prof[j]
    for j in range(n):
        fit[j] = np.float32(np.int32(total[j])) * a.inverse_scale[i]
    if sym:
        total[:n] = 0
        for o in range(a.owned_count[i]):
            level, wanting = a.proficiency[i, a.owned[i, o]], b.wanting[a.owned[i, o], lo:hi]
            for j in range(n):
                total[j] += np.uint16(level * wanting[j])
        for j in range(n):
            fit[j] = _both_ways(fit[j], np.float32(np.int32(total[j])), scale[j])


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _both_ways(fit, back, scale):
    """Peers' skill fit: the mean of what each offers the other (``back`` unscaled)."""
    return (fit + back * scale) * np.float32(0.5)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _pair_total(base, fit, inter, count, other_count, weights):
    """One pair's filtered score from its class-level part, skill fit and shared topics."""
    union = count + other_count - inter
    union = union if union > np.float32(1.0) else np.float32(1.0)
    return base + weights[0] * fit + weights[1] * (inter / union)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _senior_enough(level, hire_day, max_level, min_hire, both):
    """Passes ``level <= max_level`` or (``both``: and) ``hire_day >= min_hire``."""
    by_level, by_hire = level <= max_level, hire_day >= min_hire
    return (by_level & by_hire) if both else (by_level | by_hire)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tile_scores(a, i, b, lo, hi, how, scratch, counts):
    """Row ``i``'s filtered scores against columns ``lo:hi`` (``-inf``: a rule fails)."""
    n, weights = hi - lo, how.weights
    fit, inter, out = scratch[0, :n], scratch[1, :n], scratch[2, :n]
    _skill_fit(a, i, b, lo, hi, how.symmetric, fit, counts)
    inter[:] = 0.0
    for w in range(a.topics.shape[1]):
        topics, word = b.topics[w, lo:hi], a.topics[i, w]
        for j in range(n):
            inter[j] += np.float32(_popcount(word & topics[j]))
    max_level, min_hire, both = _seniority_limits(how, a, i)
    base_row, count, j = how.class_table[a.klass[i]], np.float32(a.topic_count[i]), 0
    klass, level, hire = b.klass[lo:hi], b.level[lo:hi], b.hire_day[lo:hi]
    while j < n:  # people of a class sit together: its class-level part once per run
        end = min(b.class_end[lo + j], hi) - lo
        out[j:end] = base_row[klass[j]]
        j = end
    for j in range(n):
        out[j] = _pair_total(out[j], fit[j], inter[j], count, b.topic_count[lo + j], weights)
    for j in range(n if how.seniority and both else 0):  # a loop per rule: vectorised
        out[j] = out[j] if _senior_enough(level[j], hire[j], max_level, min_hire, True) else _NEG
    for j in range(n if how.seniority and not both else 0):
        out[j] = out[j] if _senior_enough(level[j], hire[j], max_level, min_hire, False) else _NEG
    return out


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _gathered_scores(a, rec, i, cols, n, how, scratch):
    """``_tile_scores`` against right positions ``cols[:n]`` (``Records``, loads in flight)."""
    fit, inter, out = scratch[0, :n], scratch[1, :n], scratch[2, :n]
    fields, n_wanted, weights = rec.fields, a.wanted.shape[1], how.weights
    fit[:] = 0.0
    for w in range(n_wanted):
        offered = rec.by_skill[a.wanted[i, w]]
        for j in range(n):
            fit[j] += np.float32(offered[cols[j]])
    for j in range(n):
        fit[j] *= a.inverse_scale[i]
    if how.symmetric:
        mine = a.proficiency[i]
        for j in range(n):
            back = np.float32(0.0)
            for w in range(n_wanted):
                back += np.float32(mine[fields[cols[j], 5 + w]])
            scale = np.float32(1.0 / max(5.0 * fields[cols[j], 4], 1.0))
            fit[j] = _both_ways(fit[j], back, scale)
    inter[:] = 0.0
    for w in range(a.topics.shape[1]):
        word, at = a.topics[i, w], 5 + n_wanted + 2 * w
        for j in range(n):
            low, high = np.uint32(fields[cols[j], at]), np.uint32(fields[cols[j], at + 1])
            inter[j] += np.float32(_popcount(word & (np.uint64(low) | np.uint64(high) << _32)))
    max_level, min_hire, both = _seniority_limits(how, a, i)
    base_row, count = how.class_table[a.klass[i]], np.float32(a.topic_count[i])
    for j in range(n):
        out[j] = base_row[fields[cols[j], 0]]
    for j in range(n):
        c = fields[cols[j]]
        s = _pair_total(out[j], fit[j], inter[j], count, np.float32(c[3]), weights)
        out[j] = s if _senior_enough(c[1], c[2], max_level, min_hire, both) else _NEG
    return out


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _first_time(col, r, keys, stamps):
    """True the first time row ``r`` offers ``col`` (a set stamped with the row)."""
    mask = len(keys) - 1
    slot = (col * 0x9E3779B1) & mask
    while stamps[slot] == r:
        if keys[slot] == col:
            return False
        slot = (slot + 1) & mask
    stamps[slot], keys[slot] = r, col
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def _push(score, ids, p, s, ident):
    """Replace the root of row ``p``'s full min-heap by (s, ident) (``ids`` None: no ids)."""
    n, at = score.shape[1], 0
    while 2 * at + 1 < n:
        child = 2 * at + 1
        if child + 1 < n and score[p, child + 1] < score[p, child]:
            child += 1
        if score[p, child] >= s:
            break
        score[p, at] = score[p, child]
        if ids is not None:
            ids[p, at] = ids[p, child]
        at = child
    score[p, at] = s
    if ids is not None:
        ids[p, at] = ident


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


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _take(lists, p, s, col, ident, eps, tie_break, seed):
    """(s, col) into person ``p``'s k best scores and, within ``2 * eps`` of them, its best
    list; the new gate (the lowest score that can change either, less a float32 step)."""
    if s > lists.kth[p, 0]:
        _push(lists.kth, None, p, s, 0)
    floor = lists.kth[p, 0] - 2 * eps
    if s + tie_break >= floor and s + tie_break > lists.score[p, 0]:
        keyed = s + tie_break * _jitter(ident, col, seed)  # equal scores in a random order
        if keyed > lists.score[p, 0]:
            _push(lists.score, lists.ids, p, keyed, col)
    return max(floor, lists.score[p, 0]) - tie_break - 1e-6


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FAST)
def filter_pairs(a, rows, idents, b, how, eps, lists, first, row_part, col_part, heaps, t, group):
    """Rows ``row_part`` of ``rows`` (lists ``first + r``) against columns ``col_part``,
    ``group`` rows over a tile at a time (unreachable tiles skipped). Among peers
    (``how.symmetric``: row ``r`` is column ``first + r``) the columns after the row's own,
    each pair into both lists; else, with ``heaps``, into thread ``t``'s column heap. Only
    the pairs a branch-free pass flags (at the row's gate or the column's: gates only rise)."""
    scratch, counts = np.empty((3, TILE), dtype=np.float32), np.empty(TILE, dtype=np.uint16)
    flags, never = np.zeros(TILE, dtype=np.uint8), np.full(TILE, np.inf, dtype=np.float32)
    words = flags.view(np.uint64)  # eight flags at a time
    reach, heap, heap_left = heaps.score.shape[2], heaps.score[t], heaps.left[t]
    heap_floor = heaps.floor[t]
    tie_break, seed, (lo_part, hi_part) = how.tie_break, how.seed, col_part
    first_tile, tiles = lo_part // TILE, -(-hi_part // TILE) - lo_part // TILE
    for step in range(-(-(row_part[1] - row_part[0]) // group) * tiles):
        g, tile = row_part[0] + step // tiles * group, first_tile + step % tiles
        lo, hi = max(tile * TILE, lo_part), min((tile + 1) * TILE, hi_part)
        for r in range(g, min(g + group, row_part[1])):
            me, i, ident = first + r, rows[r], idents[r]
            start = max(lo, me + 1) if how.symmetric else lo
            if start >= hi or not b.reachable[a.klass[i], tile]:
                continue
            scores, gate = _tile_scores(a, i, b, start, hi, how, scratch, counts), lists.gate[me]
            n, bars = hi - start, heap_floor[start:hi] if reach else never[: hi - start]
            for j in range(n if how.symmetric else 0):
                flags[j] = (scores[j] >= gate) | (scores[j] >= lists.gate[start + j])
            for j in range(0 if how.symmetric else n):
                flags[j] = (scores[j] >= gate) | (scores[j] >= bars[j])
            for w in range((n + 7) >> 3):
                for j in range(w << 3, min((w + 1) << 3, n) if words[w] else 0):
                    s, col = scores[j], start + j
                    if s >= gate:
                        gate = _take(lists, me, s, col, ident, eps, tie_break, seed)
                    if how.symmetric and s >= lists.gate[col]:
                        him = b.position[col]
                        lists.gate[col] = _take(lists, col, s, me, him, eps, tie_break, seed)
                    elif reach and s > heap_floor[col]:
                        _push(heap, heap_left, col, s, ident)
                        heap_floor[col] = heap[col, 0]
            lists.gate[me] = gate


@njit(cache=True, nogil=True, error_model="numpy")
def finish_pairs(lists, first, k, eps, out_cols, out_count, out_thr, t, threads):
    """Part ``t`` of ``threads`` of the block's rows: their threshold and survivors."""
    n_rows = out_cols.shape[0]
    for r in range(t * n_rows // threads, (t + 1) * n_rows // threads):
        _finish_row(lists.score[first + r], lists.ids[first + r], k, eps, out_cols, out_count,
                    out_thr, r)  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FAST)
def pool_rows(a, rec, rows, idents, skips, pools, how, eps, lists, out_cols, out_count, out_thr,
              t, threads):  # fmt: skip
    """``candidate_filters.pool_block`` for part ``t`` of ``threads`` of the rows (with list
    ``t`` of ``lists``): each pooled column once, the row's ``skips`` column passed over."""
    n_rows, width, k = len(rows), pools.shape[1], lists.kth.shape[1]
    cols, scratch = np.empty(width, dtype=np.int64), np.empty((3, width), dtype=np.float32)
    size = 1 << int(np.ceil(np.log2(2 * width + 1)))  # a set at most half full
    keys, stamps = np.empty(size, dtype=np.int64), np.full(size, -1, dtype=np.int64)
    for r in range(t * n_rows // threads, (t + 1) * n_rows // threads):
        n = 0
        for col in pools[r]:
            if col != skips[r] and _first_time(col, r, keys, stamps):
                cols[n] = col
                n += 1
        scores = _gathered_scores(a, rec, rows[r], cols, n, how, scratch)
        lists.kth[t], lists.score[t], gate = _NEG, _NEG, _NEG
        for j in range(n):
            if scores[j] >= gate:
                gate = _take(lists, t, scores[j], cols[j], idents[r], eps, how.tie_break, how.seed)
        _finish_row(lists.score[t], lists.ids[t], k, eps, out_cols, out_count, out_thr, r)
