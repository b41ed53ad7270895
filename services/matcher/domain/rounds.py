"""Draft rounds: the admin previews a result, adjusts it and re-solves.

All functions are pure: adjustments are immutable values, and re-solving is
``solve_round(program, adjustments)`` on the same encoded program.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from services.matcher.domain.circles import MAX_SWAP_ROUNDS, CircleResult, form_peer_groups
from services.matcher.domain.pairing import (
    ProgramInput,
    match_peer_coaching,
    match_reverse_mentoring,
)
from services.matcher.domain.people import Role
from services.matcher.domain.results import MatchingResult
from services.matcher.domain.rules import ProgramKind
from shared.errors import InvalidInput

__all__ = [
    "AdjustmentError",
    "RoundAdjustments",
    "solve_group_round",
    "solve_round",
    "swap_mentees",
]


class AdjustmentError(InvalidInput):
    """An admin adjustment that cannot be applied (unknown person, double lock...)."""


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True, slots=True)
class RoundAdjustments:
    """Admin edits of a draft. Locks are ``(mentor_id, mentee_id)`` or ``(peer, peer)``."""

    locked: tuple[tuple[str, str], ...] = ()
    forbidden: frozenset[tuple[str, str]] = frozenset()

    def lock_pair(self, a: str, b: str) -> RoundAdjustments:
        """Force a pair into the next solve (un-forbids it if needed)."""
        locked = tuple(p for p in self.locked if _key(*p) != _key(a, b)) + ((a, b),)
        return RoundAdjustments(locked, self.forbidden - {_key(a, b)})

    def forbid_pair(self, a: str, b: str) -> RoundAdjustments:
        """Never pair these two in this program (drops a lock on the same pair)."""
        locked = tuple(p for p in self.locked if _key(*p) != _key(a, b))
        return RoundAdjustments(locked, self.forbidden | {_key(a, b)})

    def unlock_person(self, person_id: str) -> RoundAdjustments:
        return replace(self, locked=tuple(p for p in self.locked if person_id not in p))


def swap_mentees(
    draft: MatchingResult, adjustments: RoundAdjustments, mentee_a: str, mentee_b: str
) -> RoundAdjustments:
    """Lock each of two mentees to the other's draft mentor; re-solve to apply."""
    mentor_of: dict[str, str] = {}
    for pair in draft.pairs:
        if pair.roles == (Role.MENTOR, Role.MENTEE):
            mentor_of[pair.person_ids[1]] = pair.person_ids[0]
    if mentee_a not in mentor_of or mentee_b not in mentor_of:
        raise AdjustmentError("both mentees must be matched in the draft to swap them")
    adj = adjustments.unlock_person(mentee_a).unlock_person(mentee_b)
    return adj.lock_pair(mentor_of[mentee_a], mentee_b).lock_pair(mentor_of[mentee_b], mentee_a)


def _validate(program: ProgramInput, adjustments: RoundAdjustments) -> None:
    table = program.table
    for a, b in adjustments.locked:
        for pid in (a, b):
            if pid not in table.row_index:
                raise AdjustmentError(
                    f"{pid} is not in this round's pool (not enrolled, departed, "
                    "or already in a live match)"
                )
    if program.rules.kind is ProgramKind.REVERSE_MENTORING:
        for a, b in adjustments.locked:
            roles = (table.roles[table.row_index[a]], table.roles[table.row_index[b]])
            if roles != (Role.MENTOR, Role.MENTEE):
                raise AdjustmentError(f"lock ({a}, {b}) must be (mentor, mentee)")
        mentees = Counter(b for _, b in adjustments.locked)
        mentors = Counter(a for a, _ in adjustments.locked)
        if mentees and max(mentees.values()) > 1:
            raise AdjustmentError("a mentee is locked to more than one mentor")
        for mentor, count in mentors.items():
            if count > int(table.capacity[table.row_index[mentor]]):
                raise AdjustmentError(f"locks exceed the capacity of mentor {mentor}")
    else:
        people = Counter(p for pair in adjustments.locked for p in pair)
        if people and max(people.values()) > 1:
            raise AdjustmentError("a peer is locked into more than one pair")
    for a, b in adjustments.locked:
        if program.excluded.blocks(a, b):  # refused without saying why: a block is private
            raise AdjustmentError(f"lock ({a}, {b}) cannot be applied")
        broken = lock_breaks(program, a, b)
        if broken:
            raise AdjustmentError(f"lock ({a}, {b}) breaks the hard rule {', '.join(broken)}")


def lock_breaks(program: ProgramInput, first: str, second: str) -> list[str]:
    """The program's hard rules a locked pair would break (none may be overridden: a lock
    inside one reporting chain, across a required department line, without shared hours
    or language, or repeating an earlier pair is refused, naming the rule)."""
    table = program.table
    a, b = table.row_index[first], table.row_index[second]
    # Bipartite checks read (mentee, mentor); a lock is (mentor, mentee).
    left, right = (b, a) if program.rules.bipartite else (a, b)
    checks = table.constraint_checks(
        program.rules, program.keys, np.array([left]), np.array([right])
    )
    return [rule.value for rule, ok in checks.items() if not bool(np.asarray(ok).reshape(-1)[0])]


def solve_round(
    program: ProgramInput, adjustments: RoundAdjustments, *, seed: int = 0
) -> MatchingResult:
    """Re-solve a pair program honouring locks (forced) and forbidden pairs (removed)."""
    _validate(program, adjustments)
    adjusted = program.with_excluded(program.excluded.with_forbidden(adjustments.forbidden))
    if program.rules.kind is ProgramKind.REVERSE_MENTORING:
        return match_reverse_mentoring(adjusted, locked=adjustments.locked, seed=seed)
    if program.rules.kind is ProgramKind.PEER_COACHING:
        return match_peer_coaching(adjusted, locked=adjustments.locked, seed=seed)
    raise AdjustmentError("peer-group programs are re-solved with solve_group_round")


def solve_group_round(
    program: ProgramInput,
    adjustments: RoundAdjustments,
    *,
    seed: int = 0,
    max_rounds: int = MAX_SWAP_ROUNDS,
) -> CircleResult:
    """Re-form circles keeping forbidden pairs apart; pair locks do not apply to circles."""
    if program.rules.kind is not ProgramKind.PEER_GROUP:
        raise AdjustmentError("solve_group_round is for peer-group programs")
    if adjustments.locked:
        raise AdjustmentError("locks are not supported for circles; forbid pairs instead")
    adjusted = program.with_excluded(program.excluded.with_forbidden(adjustments.forbidden))
    return form_peer_groups(adjusted, seed=seed, max_rounds=max_rounds)
