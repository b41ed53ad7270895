"""Self-match: ranked partner suggestions for one participant.

Scores the participant against every available person of the opposite role (peers:
every other peer) with the same criteria and hard constraints as a round, keeps the
feasible ones, and ranks them by score. O(n) vectorised work for n enrollments; only
the best few are explained (building an explanation is Python work per pair, and at
100k enrolled explaining everyone was the whole cost of a request). What is Python
work over every row (each role's rows, the id order ties are broken by) is built once
per roster as a ``PartnerIndex`` and passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matcher.domain.explain import MatchExplanation, explain_pairs
from services.matcher.domain.features import ParticipantTable
from services.matcher.domain.pairing import ProgramInput
from services.matcher.domain.people import Role

__all__ = ["PartnerIndex", "Suggestion", "partner_suggestion", "suggest_partners"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Suggestion:
    person_id: str
    role: Role
    explanation: MatchExplanation


@dataclass(frozen=True, slots=True)
class PartnerIndex:
    """Each role's rows and each row's rank in id order, for one roster: a loop over
    every row each (about 80 ms apiece at 100k), so built once, not per request."""

    rows_by_role: Mapping[Role, IntArray]
    id_rank: IntArray

    @classmethod
    def of(cls, table: ParticipantTable) -> PartnerIndex:
        by_id = sorted(range(len(table.ids)), key=table.ids.__getitem__)
        id_rank = np.empty(len(table.ids), dtype=np.int64)
        id_rank[np.asarray(by_id, dtype=np.int64)] = np.arange(len(table.ids))
        return cls({role: table.rows_with_role(role) for role in Role}, id_rank)


def _partner_rows(
    program: ProgramInput, me: int, available: BoolArray | None, index: PartnerIndex
) -> IntArray:
    """The rows ``me`` may pair with: the opposite role (peers: other peers), available."""
    role = program.table.roles[me]
    wanted = {Role.MENTEE: Role.MENTOR, Role.MENTOR: Role.MENTEE}.get(role, Role.PEER)
    others = index.rows_by_role[wanted]
    others = others[others != me]
    return others if available is None else others[available[others]]


def _sides(program: ProgramInput, me: int, others: IntArray) -> tuple[IntArray, IntArray]:
    """(left, right) as rounds see the pair: mentees left, mentors right; peers from ``me``."""
    mine = np.full(len(others), me, dtype=np.int64)
    return (others, mine) if program.table.roles[me] is Role.MENTOR else (mine, others)


def _explained(program: ProgramInput, me: int, rows: IntArray) -> list[Suggestion]:
    table = program.table
    left, right = _sides(program, me, rows)
    explanations = explain_pairs(program, left, right, symmetric=table.roles[me] is Role.PEER)
    return [
        Suggestion(table.ids[int(row)], table.roles[int(row)], explanation)
        for row, explanation in zip(rows, explanations, strict=True)
        if not explanation.constraints_violated
        and not program.excluded.blocks(table.ids[me], table.ids[int(row)])
    ]


def _exact_totals(
    program: ProgramInput, left: IntArray, right: IntArray, *, symmetric: bool
) -> FloatArray:
    """Each pair's explanation total, bit for bit as ``MatchExplanation.from_raw`` sums
    it: a float32 value times 1e6 is exact in float64, so ``np.round(x, 6)`` is Python's
    ``round(x, 6)``; then the same products, added in the same order."""
    raw = program.table.raw_criteria(left, right, symmetric=symmetric)
    weights = program.rules.weights.as_dict()
    total = np.zeros(len(left), dtype=np.float64)
    for criterion, values in raw.items():
        total += weights[criterion] * np.round(values.astype(np.float64), 6)
    return total


def _best_rows(id_rank: IntArray, rows: IntArray, totals: FloatArray, limit: int) -> IntArray:
    """The ``limit`` rows with the highest totals, ties by id (exact, no explanation)."""
    if len(rows) <= limit:
        return rows
    cut = np.partition(totals, len(totals) - limit)[len(totals) - limit]
    above = rows[totals > cut]
    tied = rows[totals == cut]
    chosen = tied[np.argsort(id_rank[tied])[: limit - len(above)]]
    return np.concatenate([above, chosen])


def suggest_partners(
    program: ProgramInput,
    person_id: str,
    *,
    limit: int = 10,
    available: BoolArray | None = None,
    index: PartnerIndex | None = None,
) -> list[Suggestion]:
    """The best ``limit`` feasible partners for ``person_id``, best first (ties by id),
    among the rows ``available`` marks (default: every row); ``index``: the roster's,
    if kept (default: built for this call)."""
    table = program.table
    if person_id not in table.row_index:
        raise KeyError(f"{person_id} is not in this program's pool")
    me = table.row_index[person_id]
    index = index or PartnerIndex.of(table)
    others = _partner_rows(program, me, available, index)
    if len(others) == 0 or limit <= 0:
        return []
    left, right = _sides(program, me, others)
    feasible = table.feasible(program.rules, program.keys, left, right)
    others, left, right = others[feasible], left[feasible], right[feasible]
    if len(others) > limit:
        symmetric = table.roles[me] is Role.PEER
        totals = _exact_totals(program, left, right, symmetric=symmetric)
        others = _best_rows(index.id_rank, others, totals, limit)
    ranked = sorted(
        _explained(program, me, others), key=lambda s: (-s.explanation.total, s.person_id)
    )
    return ranked[:limit]


def partner_suggestion(
    program: ProgramInput,
    person_id: str,
    partner_id: str,
    *,
    available: BoolArray | None = None,
    index: PartnerIndex | None = None,
) -> Suggestion | None:
    """``partner_id`` as a suggestion for ``person_id`` if they may pair, else None."""
    table = program.table
    me, partner = table.row_index.get(person_id), table.row_index.get(partner_id)
    if me is None or partner is None:
        return None
    rows = _partner_rows(program, me, available, index or PartnerIndex.of(table))
    chosen = _explained(program, me, rows[rows == partner])
    return chosen[0] if chosen else None
