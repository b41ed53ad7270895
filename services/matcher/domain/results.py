"""Result types shared by the solvers and the reasons people stay unmatched."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from services.matcher.domain.explain import MatchExplanation
from services.matcher.domain.features import EncodedProgram
from services.matcher.domain.people import Role
from services.matcher.domain.rules import HardConstraint, ProgramKind

__all__ = [
    "MatchingResult",
    "ProposedPair",
    "Unmatched",
    "UnmatchedReason",
    "diagnose_unmatched",
]


class UnmatchedReason(StrEnum):
    NO_ELIGIBLE_CANDIDATE = "no_eligible_candidate"
    EXCLUDED_BY_CONSTRAINT = "excluded_by_constraint"
    CAPACITY_EXHAUSTED = "capacity_exhausted"


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A participant left out of the draft, with the reason an admin can act on.

    ``EXCLUDED_BY_CONSTRAINT`` names the constraint that, relaxed alone, would
    give the most candidates; ``CAPACITY_EXHAUSTED`` means eligible candidates
    existed but were all at capacity / matched to others in the optimum.
    """

    person_id: str
    role: Role
    reason: UnmatchedReason
    constraint: HardConstraint | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ProposedPair:
    """One proposed pair. Reverse mentoring: ``person_ids == (mentor_id, mentee_id)``."""

    person_ids: tuple[str, str]
    roles: tuple[Role, Role]
    explanation: MatchExplanation
    locked: bool = False

    @property
    def score(self) -> float:
        return self.explanation.total


@dataclass(frozen=True, slots=True)
class MatchingResult:
    """A draft for one program round; ``upper_bound`` is a certified bound when known.

    ``stats`` holds timings (``candidates_seconds``, ``solve_seconds``), edge counts
    and solver-level integer objective values for benchmarking and audit.
    """

    kind: ProgramKind
    pairs: tuple[ProposedPair, ...]
    unmatched: tuple[Unmatched, ...]
    total_score: float
    upper_bound: float | None = None
    stats: Mapping[str, float] = field(default_factory=dict)

    def partner_of(self, person_id: str) -> list[str]:
        out: list[str] = []
        for p in self.pairs:
            if person_id in p.person_ids:
                out.extend(x for x in p.person_ids if x != person_id)
        return out


def diagnose_unmatched(
    program: EncodedProgram,
    rows: npt.NDArray[np.int64],
    counterparts: npt.NDArray[np.int64],
    had_candidates: npt.NDArray[np.bool_],
    *,
    person_is_left: bool,
    max_diagnosed: int = 2000,
) -> list[Unmatched]:
    """Reason for each unmatched table row (vectorised over counterparts, O(|rows| * n))."""
    table = program.table
    out: list[Unmatched] = []
    for i, row in enumerate(rows.tolist()):
        pid, role = table.ids[row], table.roles[row]
        if had_candidates[i]:
            out.append(
                Unmatched(
                    pid,
                    role,
                    UnmatchedReason.CAPACITY_EXHAUSTED,
                    detail="all eligible candidates were assigned elsewhere",
                )
            )
            continue
        others = counterparts[counterparts != row]
        if len(others) == 0 or i >= max_diagnosed:
            detail = "no counterpart enrolled" if len(others) == 0 else "not diagnosed"
            out.append(Unmatched(pid, role, UnmatchedReason.NO_ELIGIBLE_CANDIDATE, detail=detail))
            continue
        me = np.full(len(others), row, dtype=np.int64)
        left, right = (me, others) if person_is_left else (others, me)
        out.append(
            _constraint_reason(
                pid, role, table.constraint_checks(program.rules, program.keys, left, right)
            )
        )
    return out


def _constraint_reason(
    pid: str, role: Role, checks: dict[HardConstraint, npt.NDArray[np.bool_]]
) -> Unmatched:
    """Why nobody was eligible: the constraint whose relaxing alone frees the most
    people, else the one most counterparts fail."""
    fails = np.stack([~v for v in checks.values()])
    if not fails.any(axis=0).all():
        return Unmatched(
            pid,
            role,
            UnmatchedReason.NO_ELIGIBLE_CANDIDATE,
            detail="eligible people exist but none was in the sampled pool",
        )
    sole = fails & (fails.sum(axis=0) == 1)
    names = list(checks)
    if sole.any():
        best = int(np.argmax(sole.sum(axis=1)))
        n_sole = int(sole[best].sum())
        return Unmatched(
            pid,
            role,
            UnmatchedReason.EXCLUDED_BY_CONSTRAINT,
            names[best],
            detail=f"relaxing it alone would make {n_sole} people eligible",
        )
    worst = names[int(np.argmax(fails.sum(axis=1)))]
    return Unmatched(
        pid,
        role,
        UnmatchedReason.NO_ELIGIBLE_CANDIDATE,
        worst,
        detail="every counterpart fails two or more constraints",
    )
