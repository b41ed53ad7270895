"""Small hand-made people for readable matcher tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import numpy.typing as npt
import pytest

from services.matcher.domain.features import ParticipantTable
from services.matcher.domain.pairing import ProgramInput, prepare_program
from services.matcher.domain.people import Enrollment, Person, Role
from services.matcher.domain.rules import ProgramKind, default_rules
from tests.support.synthetic_people import (
    generate_org,
    peer_enrollments,
    reverse_mentoring_enrollments,
)

IntArray = npt.NDArray[np.int64]


def person(
    pid: str,
    *,
    manager: str | None = None,
    level: int = 3,
    department: str = "eng",
    business_unit: str = "bu1",
    location: str = "London",
    timezone: str = "Europe/London",
    languages: Iterable[str] = ("en",),
    hired: date = date(2020, 1, 1),
    skills: dict[str, int] | None = None,
    interests: Iterable[str] = (),
) -> Person:
    return Person(
        id=pid,
        level=level,
        department=department,
        business_unit=business_unit,
        location=location,
        timezone=timezone,
        languages=frozenset(languages),
        manager_id=manager,
        hire_date=hired,
        skills=skills or {},
        interests=frozenset(interests),
    )


def mentor(pid: str, *, capacity: int = 1, wants: Iterable[str] = ()) -> Enrollment:
    return Enrollment(pid, Role.MENTOR, skills_wanted=frozenset(wants), capacity=capacity)


def mentee(pid: str, *, wants: Iterable[str] = (), goals: Iterable[str] = ()) -> Enrollment:
    return Enrollment(pid, Role.MENTEE, skills_wanted=frozenset(wants), goals=frozenset(goals))


def peer(pid: str, *, wants: Iterable[str] = ()) -> Enrollment:
    return Enrollment(pid, Role.PEER, skills_wanted=frozenset(wants))


def synthetic_mentoring(
    n_people: int,
    *,
    seed: int,
    capacity: int = 1,
    mentors: int | None = None,
    mentees: int | None = None,
    **rule_overrides: object,
) -> ProgramInput:
    org = generate_org(n_people, seed=seed, n_departments=6)
    n_mentors = mentors if mentors is not None else n_people // 3
    n_mentees = mentees if mentees is not None else n_people // 3
    enrollments = reverse_mentoring_enrollments(
        org, n_mentors, n_mentees, capacity=capacity, seed=seed
    )
    rules = default_rules(ProgramKind.REVERSE_MENTORING, **rule_overrides)
    return prepare_program(org.people, enrollments, rules)


def synthetic_peers(
    n_people: int, n_peers: int, *, seed: int, kind: ProgramKind = ProgramKind.PEER_COACHING
) -> ProgramInput:
    org = generate_org(n_people, seed=seed, n_departments=8)
    return prepare_program(
        org.people, peer_enrollments(org, n_peers, seed=seed), default_rules(kind)
    )


def look_alike_mentoring(n: int) -> ProgramInput:
    """Everyone on a side alike (an HR import of defaults): every mentee-mentor pair ties."""
    seniors = [person(f"s{i}", level=9, department="sales", interests={"ai"}) for i in range(n)]
    juniors = [
        person(f"j{i}", level=2, department="eng", skills={"ai": 4}, interests={"ai"})
        for i in range(n)
    ]
    return prepare_program(
        seniors + juniors,
        [mentee(p.id, wants={"ai"}) for p in seniors] + [mentor(p.id) for p in juniors],
        default_rules(ProgramKind.REVERSE_MENTORING),
    )


def count_canonical_scoring(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, the number of pairs of each ``ParticipantTable.scores`` call."""
    scored: list[int] = []
    canonical = ParticipantTable.scores

    def counting(self, rules, left, right, **kw):  # type: ignore[no-untyped-def]
        scored.append(len(left))
        return canonical(self, rules, left, right, **kw)

    monkeypatch.setattr(ParticipantTable, "scores", counting)
    return scored


def program_sides(program: ProgramInput, symmetric: bool) -> tuple[IntArray, IntArray]:
    """The table rows of both sides: peers against peers, or mentees against mentors."""
    t = program.table
    if symmetric:
        peers = t.rows_with_role(Role.PEER)
        return peers, peers
    return t.rows_with_role(Role.MENTEE), t.rows_with_role(Role.MENTOR)
