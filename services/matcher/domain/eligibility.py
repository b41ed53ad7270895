"""How many enrolled people would have at least one eligible partner under a set of
rules: the figure an admin watches while editing a program's rules, before saving them.

Eligible means: some counterpart (a mentor for a mentee and the reverse; another peer
in peer programs) satisfies every hard rule with them. History is left out on purpose
(pairs matched before, forbidden or blocked pairs): the question is what the rules
allow, not who is still free. Work is bounded by ``pair_budget``: above it each side is
estimated from an evenly spread sample of its rows, checked against every counterpart,
and the answer says it is an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matcher.domain.features import ExclusionKeys, ParticipantTable
from services.matcher.domain.people import Role
from services.matcher.domain.rules import ProgramRules

IntArray = npt.NDArray[np.int64]

#: Pairs checked per call at most (about a second of vectorised checks).
PAIR_BUDGET = 20_000_000
#: Pairs checked in one vectorised block (bounds the memory of one step).
BLOCK_PAIRS = 1_000_000


@dataclass(frozen=True, slots=True)
class SideEligibility:
    """One side of the program: its people and how many have an eligible partner."""

    role: Role
    enrolled: int
    eligible: int
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class Eligibility:
    sides: tuple[SideEligibility, ...]

    @property
    def estimated(self) -> bool:
        return any(s.estimated for s in self.sides)

    @property
    def enrolled(self) -> int:
        return sum(s.enrolled for s in self.sides)

    @property
    def eligible(self) -> int:
        return sum(s.eligible for s in self.sides)


def count_eligible(
    table: ParticipantTable, rules: ProgramRules, *, pair_budget: int = PAIR_BUDGET
) -> Eligibility:
    """Per side, the enrolled people with at least one partner the ``rules`` allow."""
    keys = ExclusionKeys.build(table, None)
    sides: tuple[SideEligibility, ...]
    if rules.bipartite:
        mentees, mentors = table.rows_with_role(Role.MENTEE), table.rows_with_role(Role.MENTOR)
        budget = pair_budget // 2
        sides = (
            _side(table, rules, keys, Role.MENTEE, mentees, mentors, budget, rows_are_left=True),
            _side(table, rules, keys, Role.MENTOR, mentors, mentees, budget, rows_are_left=False),
        )
    else:
        peers = table.rows_with_role(Role.PEER)
        sides = (
            _side(table, rules, keys, Role.PEER, peers, peers, pair_budget, rows_are_left=True),
        )
    return Eligibility(sides)


def _side(
    table: ParticipantTable,
    rules: ProgramRules,
    keys: ExclusionKeys,
    role: Role,
    rows: IntArray,
    counterparts: IntArray,
    budget: int,
    *,
    rows_are_left: bool,
) -> SideEligibility:
    """``rows`` that have an eligible partner among ``counterparts`` (a person is never
    their own partner); a sample of ``rows`` scaled up when the side is over budget."""
    n, m = len(rows), len(counterparts)
    if n == 0 or m == 0:
        return SideEligibility(role, n, 0)
    checked = rows
    if n * m > budget:
        take = max(1, budget // m)
        checked = rows[np.linspace(0, n - 1, num=min(n, take)).astype(np.int64)]
    found = _has_partner(table, rules, keys, checked, counterparts, rows_are_left=rows_are_left)
    eligible = int(found.sum())
    if len(checked) == n:
        return SideEligibility(role, n, eligible)
    return SideEligibility(role, n, round(eligible * n / len(checked)), estimated=True)


def _has_partner(
    table: ParticipantTable,
    rules: ProgramRules,
    keys: ExclusionKeys,
    rows: IntArray,
    counterparts: IntArray,
    *,
    rows_are_left: bool,
) -> npt.NDArray[np.bool_]:
    """For each row, whether any counterpart passes every hard rule, in blocks of rows
    (``left`` is the mentee in bipartite programs; peer rules are symmetric)."""
    out = np.zeros(len(rows), dtype=np.bool_)
    step = max(1, BLOCK_PAIRS // len(counterparts))
    for start in range(0, len(rows), step):
        block = rows[start : start + step, None]
        others = counterparts[None, :]
        left, right = (block, others) if rows_are_left else (others, block)
        ok = table.feasible(rules, keys, left, right) & (block != others)
        out[start : start + step] = ok.any(axis=1)
    return out
