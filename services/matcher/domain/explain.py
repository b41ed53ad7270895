"""Per-match explanations: criterion contributions and satisfied hard constraints."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matcher.domain.features import EncodedProgram
from services.matcher.domain.rules import Criterion, HardConstraint

__all__ = ["CriterionContribution", "MatchExplanation", "explain_pairs"]


@dataclass(frozen=True, slots=True)
class CriterionContribution:
    """``value = weight * raw``; ``raw`` is in [0, 1]."""

    criterion: Criterion
    weight: float
    raw: float
    value: float


@dataclass(frozen=True, slots=True)
class MatchExplanation:
    """Why a pair (or circle) was proposed; ``total`` is the sum of contribution values."""

    total: float
    contributions: tuple[CriterionContribution, ...]
    constraints_satisfied: tuple[HardConstraint, ...]
    constraints_violated: tuple[HardConstraint, ...] = ()

    @staticmethod
    def from_raw(
        raw: dict[Criterion, float],
        weights: dict[Criterion, float],
        satisfied: tuple[HardConstraint, ...],
        violated: tuple[HardConstraint, ...] = (),
    ) -> MatchExplanation:
        parts = tuple(
            CriterionContribution(c, weights[c], round(raw[c], 6), weights[c] * round(raw[c], 6))
            for c in raw
        )
        return MatchExplanation(sum(p.value for p in parts), parts, satisfied, violated)


def explain_pairs(
    program: EncodedProgram,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    *,
    symmetric: bool,
) -> list[MatchExplanation]:
    """Explain table-row pairs (vectorised evaluation, O(len(left)))."""
    raw = program.table.raw_criteria(left, right, symmetric=symmetric)
    checks = program.table.constraint_checks(program.rules, program.keys, left, right)
    weights = program.rules.weights.as_dict()
    out: list[MatchExplanation] = []
    raw_lists = {c: v.astype(np.float64).tolist() for c, v in raw.items()}
    check_lists = {c: v.tolist() for c, v in checks.items()}
    for i in range(len(left)):
        ok = tuple(c for c, v in check_lists.items() if v[i])
        bad = tuple(c for c, v in check_lists.items() if not v[i])
        out.append(
            MatchExplanation.from_raw({c: v[i] for c, v in raw_lists.items()}, weights, ok, bad)
        )
    return out
