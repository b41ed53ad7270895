"""Peer-group (circle) formation with size and diversity rules.

Constraints (zero violations by construction; :func:`circle_violations`
re-checks): every circle has ``min_group_size..max_group_size`` members, at most
``max_per_department`` from one department, and every member pair satisfies
the program's pair constraints (no reporting chain, shared language, working
hours overlap, not forbidden).

Algorithm:
1. Order peers by UTC working-window start, so time-zone-compatible people are
   neighbours, and fix g = ceil(n / max) circles with near-equal target sizes.
2. Greedy placement: each peer joins the feasible circle with room, within a
   window of circles around its home position, that gains the most pairwise
   score (O(n * window * max) vectorised checks); widen to all circles if none fits.
3. Repair: circles under ``min`` are dissolved and their members re-placed.
4. Local search: batches of random swap proposals between nearby circles are
   scored vectorised; feasible improving swaps on untouched circles are applied,
   until a batch gains nothing or ``max_rounds`` batches ran.
Objective: mean pairwise soft score over all within-circle pairs.

The result depends only on the input, the ``seed`` and the round budget, never on
how busy the machine is (the budget counts batches, not seconds).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from services.matcher.domain.explain import MatchExplanation
from services.matcher.domain.pairing import ProgramInput
from services.matcher.domain.people import Role
from services.matcher.domain.results import Unmatched, diagnose_unmatched
from services.matcher.domain.rules import ProgramKind

__all__ = ["Circle", "CircleResult", "CircleViolation", "circle_violations", "form_peer_groups"]

IntArray = npt.NDArray[np.int64]
#: Local-search batches: a 2k-peer program converges in about 90, a 20k one gains
#: little after 140 (what the former 10-second budget allowed on a busy machine).
MAX_SWAP_ROUNDS = 150
SIZE = "group_size"
DEPARTMENT_CAP = "max_per_department"


@dataclass(frozen=True, slots=True)
class Circle:
    member_ids: tuple[str, ...]
    explanation: MatchExplanation


@dataclass(frozen=True, slots=True)
class CircleViolation:
    circle: int
    rule: str
    detail: str


@dataclass(frozen=True, slots=True)
class CircleResult:
    circles: tuple[Circle, ...]
    unmatched: tuple[Unmatched, ...]
    objective: float
    violations: tuple[CircleViolation, ...]
    stats: dict[str, float] = field(default_factory=dict)


class _State:
    def __init__(self, program: ProgramInput, rows: IntArray, g: int) -> None:
        self.p, self.rows = program, rows
        self.width = program.rules.max_group_size
        self.members = np.full((g, self.width), -1, dtype=np.int64)
        self.fill = np.zeros(g, dtype=np.int64)
        self.targets = np.full(g, self.width, dtype=np.int64)

    def pair_ok(self, a: IntArray, b: IntArray) -> npt.NDArray[np.bool_]:
        return self.p.table.feasible(self.p.rules, self.p.keys, a, b)

    def pair_score(self, a: IntArray, b: IntArray) -> npt.NDArray[np.float32]:
        return self.p.table.scores(self.p.rules, a, b, symmetric=True)

    def place(self, person: int, candidates: IntArray) -> bool:
        """Put ``person`` in the feasible candidate circle with room that gains most."""
        room = candidates[self.fill[candidates] < self.targets[candidates]]
        if not len(room):
            return False
        mem = self.members[room]
        valid = mem >= 0
        m0 = np.where(valid, mem, person)
        me = np.full(m0.shape, person)
        dept = self.p.table.department
        same_dept = (valid & (dept[m0] == dept[person])).sum(axis=1)
        ok = np.where(valid, self.pair_ok(me, m0), True).all(axis=1)
        ok &= same_dept < self.p.rules.max_per_department
        if not ok.any():
            return False
        gain = np.where(valid, self.pair_score(me, m0), 0).sum(axis=1)
        best = int(room[np.argmax(np.where(ok, gain, -np.inf))])
        self.members[best, self.fill[best]] = person
        self.fill[best] += 1
        return True


def form_peer_groups(
    program: ProgramInput, *, seed: int = 0, window: int = 6, max_rounds: int = MAX_SWAP_ROUNDS
) -> CircleResult:
    """Partition the program's peers into circles; see the module docstring."""
    rules, table = program.rules, program.table
    if rules.kind is not ProgramKind.PEER_GROUP:
        raise ValueError("rules are not for peer groups")
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    rows = table.rows_with_role(Role.PEER)
    n = len(rows)
    if n < rules.min_group_size:
        return _result(program, np.zeros((0, 1), np.int64), rows, t0, {})
    g = _circle_count(n, rules.min_group_size, rules.max_group_size)
    state = _State(program, rows, g)
    targets = np.full(g, n // g) + (np.arange(g) < n % g)
    state.targets = np.minimum(targets, rules.max_group_size)
    order = rows[np.lexsort((rng.random(n), table.start_utc[rows]))]
    left_over: list[int] = []
    all_circles = np.arange(g)
    for i, person in enumerate(order.tolist()):
        home = i * g // n
        near = all_circles[max(0, home - window) : home + window + 1]
        if not state.place(person, near) and not state.place(person, all_circles):
            left_over.append(person)
    state.targets = np.full(g, rules.max_group_size)
    _repair(state, left_over)
    t1 = time.perf_counter()
    moves, batches = _local_search(state, rng, window, max_rounds)
    t2 = time.perf_counter()
    keep = state.fill >= rules.min_group_size
    stats = {
        "greedy_seconds": t1 - t0,
        "local_search_seconds": t2 - t1,
        "swaps": float(moves),
        "swap_rounds": float(batches),
    }
    return _result(program, state.members[keep], rows, t0, stats)


def _circle_count(n: int, low: int, high: int) -> int:
    """Circles near the mid size with ``g * low <= n <= g * high`` when possible."""
    fewest, most = math.ceil(n / high), n // low
    return max(1, min(max(round(2 * n / (low + high)), fewest), most))


def _repair(state: _State, left_over: list[int]) -> None:
    rules = state.p.rules
    for _ in range(3):
        small = np.nonzero((state.fill > 0) & (state.fill < rules.min_group_size))[0]
        for c in small.tolist():
            left_over.extend(state.members[c, : state.fill[c]].tolist())
            state.members[c] = -1
            state.fill[c] = 0
        state.targets[small] = 0
        still: list[int] = []
        for person in left_over:
            if not state.place(person, np.nonzero(state.fill > 0)[0]):
                still.append(person)
        left_over[:] = still
        if not len(small):
            break


def _local_search(
    state: _State, rng: np.random.Generator, window: int, max_rounds: int
) -> tuple[int, int]:
    """Swaps applied and batches run (at most ``max_rounds``)."""
    g, width = state.members.shape
    dept, cap = state.p.table.department, state.p.rules.max_per_department
    applied, batch, rounds = 0, max(256, 4 * g), 0
    while rounds < max_rounds:
        rounds += 1
        ca = rng.integers(0, g, batch)
        cb = np.clip(ca + rng.integers(-window, window + 1, batch), 0, g - 1)
        ok = (ca != cb) & (state.fill[ca] > 0) & (state.fill[cb] > 0)
        ca, cb = ca[ok], cb[ok]
        sa = (rng.random(len(ca)) * state.fill[ca]).astype(np.int64)
        sb = (rng.random(len(cb)) * state.fill[cb]).astype(np.int64)
        a, b = state.members[ca, sa], state.members[cb, sb]
        ma, mb = state.members[ca], state.members[cb]
        va = (ma >= 0) & (ma != a[:, None])
        vb = (mb >= 0) & (mb != b[:, None])
        ma0, mb0 = np.where(va, ma, a[:, None]), np.where(vb, mb, b[:, None])
        gain = np.where(
            va, state.pair_score(b[:, None], ma0) - state.pair_score(a[:, None], ma0), 0
        ).sum(1) + np.where(
            vb, state.pair_score(a[:, None], mb0) - state.pair_score(b[:, None], mb0), 0
        ).sum(1)
        feasible = (
            np.where(va, state.pair_ok(b[:, None], ma0), True).all(1)
            & np.where(vb, state.pair_ok(a[:, None], mb0), True).all(1)
            & ((va & (dept[ma0] == dept[b][:, None])).sum(1) < cap)
            & ((vb & (dept[mb0] == dept[a][:, None])).sum(1) < cap)
        )
        good = np.nonzero(feasible & (gain > 1e-4))[0]
        if len(good) == 0:
            break
        touched = np.zeros(g, dtype=np.bool_)
        for j in good[np.argsort(-gain[good])].tolist():
            x, y = int(ca[j]), int(cb[j])
            if touched[x] or touched[y]:
                continue
            touched[x] = touched[y] = True
            state.members[x, sa[j]], state.members[y, sb[j]] = b[j], a[j]
            applied += 1
    return applied, rounds


def circle_violations(program: ProgramInput, groups: list[list[str]]) -> list[CircleViolation]:
    """Every size, department-cap and pair-constraint violation in ``groups``."""
    rules, table = program.rules, program.table
    out: list[CircleViolation] = []
    for c, ids in enumerate(groups):
        rows = table.rows_of(ids)
        if not rules.min_group_size <= len(rows) <= rules.max_group_size:
            out.append(CircleViolation(c, SIZE, f"{len(rows)} members"))
        counts = np.bincount(table.department[rows])
        if len(counts) and counts.max() > rules.max_per_department:
            out.append(CircleViolation(c, DEPARTMENT_CAP, f"{counts.max()} from one department"))
        a, b = np.triu_indices(len(rows), 1)
        checks = table.constraint_checks(rules, program.keys, rows[a], rows[b])
        for constraint, ok in checks.items():
            if not ok.all():
                out.append(CircleViolation(c, constraint.value, f"{int((~ok).sum())} pairs"))
    return out


def _result(
    program: ProgramInput,
    members: IntArray,
    rows: IntArray,
    t0: float,
    stats: dict[str, float],
) -> CircleResult:
    table, rules = program.table, program.rules
    weights = rules.weights.as_dict()
    circles: list[Circle] = []
    pair_scores: list[float] = []
    satisfied = (*rules.active_constraints(),)
    for line in members:
        mem = line[line >= 0]
        a, b = np.triu_indices(len(mem), 1)
        raw = table.raw_criteria(mem[a], mem[b], symmetric=True)
        mean = {c: float(v.astype(np.float64).mean()) for c, v in raw.items()}
        pair_scores.extend(table.scores(rules, mem[a], mem[b], symmetric=True).tolist())
        circles.append(
            Circle(
                tuple(table.ids[int(r)] for r in mem),
                MatchExplanation.from_raw(mean, weights, satisfied),
            )
        )
    placed = np.isin(rows, members[members >= 0])
    lost = rows[~placed]
    others = rows[placed] if len(lost) else rows
    had = np.array(
        [
            table.feasible(rules, program.keys, np.full(len(others), r), others).any()
            for r in lost.tolist()
        ],
        dtype=np.bool_,
    )
    unmatched = tuple(diagnose_unmatched(program, lost, rows, had, person_is_left=True))
    violations = tuple(circle_violations(program, [list(c.member_ids) for c in circles]))
    stats["seconds"] = time.perf_counter() - t0
    objective = float(np.mean(pair_scores)) if pair_scores else 0.0
    return CircleResult(tuple(circles), unmatched, objective, violations, stats)
