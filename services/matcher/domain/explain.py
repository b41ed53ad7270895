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
    """Explain table-row pairs, each as ``MatchExplanation.from_raw`` would (bit for bit):
    the rounding, products and totals vectorised, then only the objects built per pair.
    Pairs with the same rounded criteria share their (immutable) contributions, and those
    that pass and fail the same constraints their tuples: few distinct ones at 100k."""
    raw = program.table.raw_criteria(left, right, symmetric=symmetric)
    checks = program.table.constraint_checks(program.rules, program.keys, left, right)
    weights = program.rules.weights.as_dict()
    crits = list(raw)
    rounded = {c: _round6(raw[c]) for c in crits}
    total = np.zeros(len(left), dtype=np.float64)
    for c in crits:  # in from_raw's order
        total += weights[c] * rounded[c]
    # One more column, never read, so that no constraints still stack into rows.
    passed = np.column_stack([*checks.values(), np.zeros(len(left), np.bool_)]).tolist()
    criteria = zip(*(rounded[c].tolist() for c in crits), strict=True)
    outcomes: dict[tuple[bool, ...], tuple[tuple[HardConstraint, ...], ...]] = {}
    made: dict[tuple[float, ...], tuple[CriterionContribution, ...]] = {}
    each = [_Contributions(c, weights[c]) for c in crits]
    out: list[MatchExplanation] = []
    for key, whole, values in zip(map(tuple, passed), total.tolist(), criteria, strict=True):
        if key not in outcomes:
            outcomes[key] = _split(list(checks), key)
        if values not in made:
            made[values] = tuple(e[x] for e, x in zip(each, values, strict=True))
        out.append(MatchExplanation(whole, made[values], *outcomes[key]))
    return out


class _Contributions(dict[float, CriterionContribution]):
    """One criterion's contributions by rounded raw value, each made once."""

    def __init__(self, criterion: Criterion, weight: float) -> None:
        super().__init__()
        self.criterion, self.weight = criterion, weight

    def __missing__(self, raw: float) -> CriterionContribution:
        made = self[raw] = CriterionContribution(
            self.criterion, self.weight, raw, self.weight * raw
        )
        return made


def _round6(values: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Python's ``round(x, 6)`` of each float32 value: x times 1e6 is exact in float64, so
    rounding it half to even and dividing gives the same double."""
    return np.asarray(np.round(values.astype(np.float64), 6), np.float64)


def _split(
    constraints: list[HardConstraint], passed: tuple[bool, ...]
) -> tuple[tuple[HardConstraint, ...], tuple[HardConstraint, ...]]:
    ok = tuple(c for c, v in zip(constraints, passed, strict=False) if v)
    return ok, tuple(c for c, v in zip(constraints, passed, strict=False) if not v)
