"""Self-match: ranked partner suggestions for one participant.

Scores the participant against every enrolled person of the opposite role (peers:
every other peer) with the same criteria and hard constraints as a round, keeps
the feasible ones, and ranks them by score. O(n) vectorised work for n enrollments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.matcher.domain.explain import MatchExplanation, explain_pairs
from services.matcher.domain.pairing import ProgramInput
from services.matcher.domain.people import Role

__all__ = ["Suggestion", "suggest_partners"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    person_id: str
    role: Role
    explanation: MatchExplanation


def suggest_partners(program: ProgramInput, person_id: str, *, limit: int = 10) -> list[Suggestion]:
    """The best ``limit`` feasible partners for ``person_id``, best first (ties by id).
    A blocked pair is left out as if the other person were not enrolled."""
    table = program.table
    if person_id not in table.row_index:
        raise KeyError(f"{person_id} is not in this program's pool")
    me = table.row_index[person_id]
    role = table.roles[me]
    if role is Role.MENTEE:
        others = table.rows_with_role(Role.MENTOR)
        left, right = np.full(len(others), me, dtype=np.int64), others
    elif role is Role.MENTOR:
        others = table.rows_with_role(Role.MENTEE)
        left, right = others, np.full(len(others), me, dtype=np.int64)
    else:
        peers = table.rows_with_role(Role.PEER)
        others = peers[peers != me]
        left, right = np.full(len(others), me, dtype=np.int64), others
    if len(others) == 0:
        return []
    explanations = explain_pairs(program, left, right, symmetric=role is Role.PEER)
    ranked = sorted(
        (
            Suggestion(table.ids[int(row)], table.roles[int(row)], explanation)
            for row, explanation in zip(others, explanations, strict=True)
            if not explanation.constraints_violated
            and not program.excluded.blocks(person_id, table.ids[int(row)])
        ),
        key=lambda s: (-s.explanation.total, s.person_id),
    )
    return ranked[:limit]
