"""The in-process baselines ``bench/service_scale.py`` prints beside its API figures:
the same population encoded and solved in this process (what a preview cannot beat),
and the old suggestion path (every person encoded and every candidate explained on
each call; its database read is left out, so the ratio is a lower bound).

Run alone, it times the first at a size, beside the same encode and solve of
``bench/matching.py``'s generated people, as many mentees and mentors (the baseline, same
run): the service's population is the
worst case of the exact filter (each mentee's scores take two values, so nearly every
pair passes a k-best gate; a per-pair cost there once made it 2.5x slower, unseen by
``bench/matching.py``):
  BENCH service_population people=<n> solve_s=<s> matching_rm_s=<s> ratio=<solve/rm>

Usage: python bench/scale_baselines.py [--people 100000]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run alone: the project root, not bench/, first on the path (bench/platform.py would
# shadow the standard library's ``platform``).
if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import time
from datetime import date
from typing import Any

import numpy as np

from services.matcher import mapping
from services.matcher.domain.explain import explain_pairs
from services.matcher.domain.pairing import ProgramInput, match_reverse_mentoring, prepare_program
from services.matcher.domain.people import Role
from services.matcher.domain.rules import ProgramKind, default_rules
from tests.support.synthetic_people import generate_org, reverse_mentoring_enrollments
from tools.organisation import organisation

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


def _matching_rm_solve_s(program: ProgramInput) -> float:
    """The same counts of mentees and mentors from ``bench/matching.py``'s generator
    (varied scores: most pairs stop at the gate), encoded and solved."""
    mentees = len(program.table.rows_with_role(Role.MENTEE))
    mentors = len(program.table.rows_with_role(Role.MENTOR))
    org = generate_org(mentees + mentors + (mentees + mentors) // 20, seed=7)
    enrollments = reverse_mentoring_enrollments(org, mentors, mentees, capacity=1, seed=7)
    rules = default_rules(ProgramKind.REVERSE_MENTORING)
    started = time.perf_counter()
    match_reverse_mentoring(prepare_program(org.people, enrollments, rules))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000, help="10000 or 100000")
    count = parser.parse_args().people
    people = organisation(count, "scale")
    solve_s = in_process_solve_s(people)
    rm_s = _matching_rm_solve_s(_encoded(people))
    print(
        f"BENCH service_population people={count} solve_s={solve_s:.1f} "
        f"matching_rm_s={rm_s:.1f} ratio={solve_s / rm_s:.2f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
