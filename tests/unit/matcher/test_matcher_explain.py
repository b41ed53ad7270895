"""Explanations of many pairs at once are each exactly the one ``from_raw`` gives a pair."""

import numpy as np
import pytest

from services.matcher.domain.explain import MatchExplanation, explain_pairs
from services.matcher.domain.pairing import ProgramInput

from .factories import synthetic_mentoring, synthetic_peers


def _one_at_a_time(
    program: ProgramInput, row: int, other: int, symmetric: bool
) -> MatchExplanation:
    left, right = np.array([row]), np.array([other])
    raw = program.table.raw_criteria(left, right, symmetric=symmetric)
    checks = program.table.constraint_checks(program.rules, program.keys, left, right)
    return MatchExplanation.from_raw(
        {c: float(v[0]) for c, v in raw.items()},
        program.rules.weights.as_dict(),
        tuple(c for c, v in checks.items() if v[0]),
        tuple(c for c, v in checks.items() if not v[0]),
    )


@pytest.mark.parametrize("symmetric", [False, True])
def test_explaining_pairs_together_gives_each_pair_its_own_explanation_bit_for_bit(
    symmetric: bool,
) -> None:
    program = (
        synthetic_peers(500, 300, seed=41)
        if symmetric
        else synthetic_mentoring(500, seed=41, require_different_department=True)
    )
    rng = np.random.default_rng(41)
    left, right = rng.integers(0, len(program.table.ids), (2, 400))
    together = explain_pairs(program, left, right, symmetric=symmetric)
    alone = [_one_at_a_time(program, a, b, symmetric) for a, b in zip(left, right, strict=True)]
    assert together == alone
    assert any(e.constraints_violated for e in together) and any(
        not e.constraints_violated for e in together
    )
