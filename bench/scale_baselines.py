"""The in-process baselines ``bench/service_scale.py`` prints beside its API figures:
the same population encoded and solved in this process (what a preview cannot beat),
and the old suggestion path (every person encoded and every candidate explained on
each call; its database read is left out, so the ratio is a lower bound)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import numpy as np

from services.matcher import mapping
from services.matcher.domain.explain import explain_pairs
from services.matcher.domain.pairing import ProgramInput, match_reverse_mentoring, prepare_program
from services.matcher.domain.people import Role

PROGRAM = {"kind": "reverse_mentoring", "rules": {"min_overlap_hours": 0}}


def _encoded(people: list[dict[str, Any]]) -> ProgramInput:
    """Mentors below level 5 (capacity 1) and mentees from 5, as the bench's bulks enroll."""
    persons = [mapping.person_from_doc({"_id": row["person_id"], **row}) for row in people]
    enrollments = [
        mapping.enrollment_from_doc(
            {"person_id": row["person_id"], "role": "mentor" if row["level"] < 5 else "mentee"}
        )
        for row in people
    ]
    rules = mapping.rules_from_program(PROGRAM, today=date.today())
    return prepare_program(persons, enrollments, rules)


def in_process_solve_s(people: list[dict[str, Any]]) -> float:
    """Seconds to encode and solve the population as a preview does, without the APIs."""
    started = time.perf_counter()
    match_reverse_mentoring(_encoded(people))
    return time.perf_counter() - started


def old_suggestions_ms(people: list[dict[str, Any]], askers: list[str]) -> float:
    """Milliseconds per call of the old path: encode everyone, explain every mentor."""
    started = time.perf_counter()
    for person_id in askers:
        program = _encoded(people)
        me = program.table.row_index[person_id]
        mentors = program.table.rows_with_role(Role.MENTOR)
        mine = np.full(len(mentors), me, dtype=np.int64)
        explained = explain_pairs(program, mine, mentors, symmetric=False)
        sorted(
            (e.total, program.table.ids[int(r)])
            for r, e in zip(mentors, explained, strict=True)
            if not e.constraints_violated
        )
    return (time.perf_counter() - started) * 1000 / len(askers)
