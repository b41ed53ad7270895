"""Program rules: hard constraints, soft-criterion weights and per-kind defaults."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

# The kinds are the published vocabulary (``mentoring.programs.v1``): defined once there.
from shared.contracts.matching import ProgramKind

__all__ = [
    "Criterion",
    "ExcludedPairs",
    "HardConstraint",
    "ProgramKind",
    "ProgramRules",
    "Weights",
    "default_rules",
]


class Criterion(StrEnum):
    """Soft criteria; each raw value lies in [0, 1] and is multiplied by its weight."""

    SKILLS = "skills"
    GOALS = "goals"
    CROSS_DEPARTMENT = "cross_department"
    DIVERSITY = "diversity"
    AVAILABILITY = "availability"


class HardConstraint(StrEnum):
    """Constraints a pair must satisfy; the value is what explanations show."""

    REPORTING_CHAIN = "not_in_same_reporting_chain"
    SENIORITY = "mentor_junior_to_mentee"
    DIFFERENT_DEPARTMENT = "different_department"
    DIFFERENT_BUSINESS_UNIT = "different_business_unit"
    WORKING_HOURS_OVERLAP = "working_hours_overlap"
    SHARED_LANGUAGE = "shared_language"
    NOT_PREVIOUSLY_MATCHED = "not_previously_matched"
    NOT_FORBIDDEN = "not_forbidden_by_admin"


@dataclass(frozen=True, slots=True)
class Weights:
    """Admin-edited weights of the soft criteria (non-negative)."""

    skills: float = 3.0
    goals: float = 2.0
    cross_department: float = 1.0
    diversity: float = 1.0
    availability: float = 1.0

    def __post_init__(self) -> None:
        if min(self.as_dict().values()) < 0:
            raise ValueError("weights must be non-negative")

    def as_dict(self) -> dict[Criterion, float]:
        return {
            Criterion.SKILLS: self.skills,
            Criterion.GOALS: self.goals,
            Criterion.CROSS_DEPARTMENT: self.cross_department,
            Criterion.DIVERSITY: self.diversity,
            Criterion.AVAILABILITY: self.availability,
        }

    @property
    def total(self) -> float:
        return sum(self.as_dict().values())


JuniorBy = Literal["level", "tenure", "level_or_tenure", "level_and_tenure"]


@dataclass(frozen=True, slots=True)
class ProgramRules:
    """Everything an admin configures for one program.

    Reverse mentoring: the mentor must be junior to the mentee by ``junior_by``
    (``min_level_gap`` grades and/or hired ``min_tenure_gap_days`` later).
    Peer groups: circles of ``min_group_size..max_group_size`` with at most
    ``max_per_department`` members from one department and no reporting chain.
    ``activation_quorum`` is the share of members whose acceptance activates a match.
    """

    kind: ProgramKind
    weights: Weights = field(default_factory=Weights)
    require_different_department: bool = False
    require_different_business_unit: bool = False
    min_overlap_hours: float = 2.0
    require_shared_language: bool = True
    junior_by: JuniorBy = "level"
    min_level_gap: int = 1
    min_tenure_gap_days: int = 365
    candidates_per_person: int = 50
    maximise_cardinality: bool = True
    min_group_size: int = 5
    max_group_size: int = 7
    max_per_department: int = 2
    activation_quorum: float = 1.0
    reference_date: date = date(2026, 1, 15)

    def __post_init__(self) -> None:
        if not 2 <= self.min_group_size <= self.max_group_size:
            raise ValueError("need 2 <= min_group_size <= max_group_size")
        if self.max_per_department < 1 or self.candidates_per_person < 1:
            raise ValueError("max_per_department and candidates_per_person must be >= 1")
        if not 0.0 < self.activation_quorum <= 1.0:
            raise ValueError("activation_quorum must be in (0, 1]")

    @property
    def bipartite(self) -> bool:
        return self.kind is ProgramKind.REVERSE_MENTORING

    def active_constraints(self) -> tuple[HardConstraint, ...]:
        """Hard constraints enforced for this program, in explanation order."""
        out = [HardConstraint.REPORTING_CHAIN]
        if self.bipartite:
            out.append(HardConstraint.SENIORITY)
        if self.require_different_department:
            out.append(HardConstraint.DIFFERENT_DEPARTMENT)
        if self.require_different_business_unit:
            out.append(HardConstraint.DIFFERENT_BUSINESS_UNIT)
        if self.min_overlap_hours > 0:
            out.append(HardConstraint.WORKING_HOURS_OVERLAP)
        if self.require_shared_language:
            out.append(HardConstraint.SHARED_LANGUAGE)
        out += [HardConstraint.NOT_PREVIOUSLY_MATCHED, HardConstraint.NOT_FORBIDDEN]
        return tuple(out)


def default_rules(kind: ProgramKind, **overrides: Any) -> ProgramRules:
    """Sensible defaults per program kind; keyword overrides win."""
    base: dict[str, Any] = {"kind": kind}
    if kind is ProgramKind.PEER_COACHING:
        base |= {"candidates_per_person": 20, "maximise_cardinality": False}
    if kind is ProgramKind.PEER_GROUP:
        base |= {"candidates_per_person": 20, "maximise_cardinality": False}
    base |= overrides
    return ProgramRules(**base)


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True, slots=True)
class ExcludedPairs:
    """Unordered person-id pairs that must not be matched again.

    ``blocked`` pairs (one person blocked the other) are a hard constraint too, but a
    silent one: no explanation, diagnosis or lock refusal names it (see ``features``)."""

    previously_matched: frozenset[tuple[str, str]] = frozenset()
    forbidden: frozenset[tuple[str, str]] = frozenset()
    blocked: frozenset[tuple[str, str]] = frozenset()

    @staticmethod
    def of(
        previously_matched: Iterable[tuple[str, str]] = (),
        forbidden: Iterable[tuple[str, str]] = (),
        blocked: Iterable[tuple[str, str]] = (),
    ) -> ExcludedPairs:
        return ExcludedPairs(
            frozenset(_key(a, b) for a, b in previously_matched),
            frozenset(_key(a, b) for a, b in forbidden),
            frozenset(_key(a, b) for a, b in blocked),
        )

    def with_forbidden(self, pairs: Iterable[tuple[str, str]]) -> ExcludedPairs:
        return ExcludedPairs(
            self.previously_matched,
            self.forbidden | {_key(a, b) for a, b in pairs},
            self.blocked,
        )

    def blocks(self, a: str, b: str) -> bool:
        """One of the two blocked the other."""
        return _key(a, b) in self.blocked

    def violated(self, a: str, b: str) -> Mapping[HardConstraint, bool]:
        key = _key(a, b)
        return {
            HardConstraint.NOT_PREVIOUSLY_MATCHED: key in self.previously_matched,
            HardConstraint.NOT_FORBIDDEN: key in self.forbidden,
        }
