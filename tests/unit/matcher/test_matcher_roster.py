"""The roster (every enrollment encoded once) and what is cut from it: a pool restricted
from the roster solves as the pool encoded alone, and suggestions that explain only the
best few rank exactly as explaining every candidate did."""

from __future__ import annotations

import random
from collections import ChainMap
from dataclasses import replace

import numpy as np
import pytest

from services.matcher import mapping
from services.matcher.domain.explain import explain_pairs
from services.matcher.domain.lifecycle import (
    Match,
    MatchState,
    people_in_pool,
    remaining_capacity,
)
from services.matcher.domain.pairing import ProgramInput, prepare_program
from services.matcher.domain.people import Enrollment, Role
from services.matcher.domain.roster import base_places, places_taken, restrict, rows_available
from services.matcher.domain.rounds import RoundAdjustments, solve_round
from services.matcher.domain.rules import ExcludedPairs, ProgramKind, default_rules
from services.matcher.domain.suggestions import partner_suggestion, suggest_partners
from tests.support.synthetic_people import generate_org, reverse_mentoring_enrollments
from tools.organisation import organisation

from .factories import synthetic_peers


def test_a_pool_cut_from_the_roster_solves_like_the_pool_encoded_alone() -> None:
    org = generate_org(400, seed=5, n_departments=6)
    enrollments = reverse_mentoring_enrollments(org, 120, 150, capacity=3, seed=5)
    rules = default_rules(ProgramKind.REVERSE_MENTORING)
    roster = prepare_program(org.people, enrollments, rules)
    # every third person is matched already; mentors keep 1 or 2 of their 3 places
    places = {
        e.person_id: (1 + i % 2 if e.role is Role.MENTOR else 1)
        for i, e in enumerate(enrollments)
        if i % 3
    }
    excluded = ExcludedPairs.of(previously_matched=[(enrollments[1].person_id, "nobody")])

    cut = restrict(roster, places, excluded)
    alone = prepare_program(
        org.people,
        [replace(e, capacity=places[e.person_id]) for e in enrollments if e.person_id in places],
        rules,
        excluded,
    )

    assert cut.table.ids == alone.table.ids
    assert cut.table.capacity.tolist() == alone.table.capacity.tolist()
    from_cut, from_alone = (solve_round(p, RoundAdjustments()) for p in (cut, alone))
    assert [p.person_ids for p in from_cut.pairs] == [p.person_ids for p in from_alone.pairs]
    assert from_cut.total_score == pytest.approx(from_alone.total_score)
    assert len(from_cut.pairs) > 50


def _every_candidate_ranked(
    program: ProgramInput, person_id: str, available: np.ndarray
) -> list[tuple[str, float]]:
    """The reference: explain every available partner, keep the feasible, sort."""
    table = program.table
    me = table.row_index[person_id]
    role = table.roles[me]
    wanted = {Role.MENTEE: Role.MENTOR, Role.MENTOR: Role.MENTEE}.get(role, Role.PEER)
    rows = np.array(
        [r for r in table.rows_with_role(wanted) if r != me and available[r]], dtype=np.int64
    )
    mine = np.full(len(rows), me, dtype=np.int64)
    left, right = (rows, mine) if role is Role.MENTOR else (mine, rows)
    explained = explain_pairs(program, left, right, symmetric=role is Role.PEER)
    feasible = [
        (table.ids[int(r)], e.total)
        for r, e in zip(rows, explained, strict=True)
        if not e.constraints_violated
    ]
    return sorted(feasible, key=lambda s: (-s[1], s[0]))


def tied_population() -> ProgramInput:
    """``tools.organisation``: alike people, so most candidates tie on score."""
    rows = organisation(400, "tie")
    people = [mapping.person_from_doc({"_id": r["person_id"], **r}) for r in rows]
    enrollments = [
        Enrollment(r["person_id"], Role.MENTOR if r["level"] < 5 else Role.MENTEE) for r in rows
    ]
    rules = default_rules(ProgramKind.REVERSE_MENTORING, min_overlap_hours=0)
    return prepare_program(people, enrollments, rules)


@pytest.mark.parametrize("kind", ["reverse", "peers", "ties"])
def test_ranking_the_best_few_agrees_with_explaining_every_candidate(kind: str) -> None:
    if kind == "ties":
        program = tied_population()
    elif kind == "reverse":
        org = generate_org(600, seed=11, n_departments=6)
        enrollments = reverse_mentoring_enrollments(org, 200, 200, capacity=2, seed=11)
        program = prepare_program(
            org.people, enrollments, default_rules(ProgramKind.REVERSE_MENTORING)
        )
    else:
        program = synthetic_peers(500, 300, seed=11)
    available = np.arange(len(program.table)) % 4 != 0
    asked = 0
    for person_id in program.table.ids[:40]:
        expected = _every_candidate_ranked(program, person_id, available)
        got = suggest_partners(program, person_id, limit=7, available=available)
        assert [(s.person_id, s.explanation.total) for s in got] == expected[:7]
        for partner_id, total in expected[:2] + expected[-1:]:
            one = partner_suggestion(program, person_id, partner_id, available=available)
            assert one is not None and one.explanation.total == total
        asked += bool(expected)
    assert asked > 30, "most people have feasible partners in this population"


def test_a_partner_who_is_not_available_or_not_feasible_is_no_suggestion() -> None:
    program = synthetic_peers(300, 100, seed=2)
    me, *others = program.table.ids
    everyone = np.ones(len(program.table), dtype=np.bool_)
    ranked = {s.person_id for s in suggest_partners(program, me, limit=len(others))}
    infeasible = [p for p in others if p not in ranked]
    busy = rows_available(program, {p: 1 for p in program.table.ids[2:]})
    assert infeasible, "some peers are ruled out by a hard constraint"
    assert partner_suggestion(program, me, infeasible[0], available=everyone) is None
    assert partner_suggestion(program, me, program.table.ids[1], available=busy) is None
    assert partner_suggestion(program, me, me, available=everyone) is None


def test_places_taken_by_live_matches_agree_with_the_lifecycle_rules() -> None:
    org = generate_org(300, seed=8, n_departments=6)
    enrollments = reverse_mentoring_enrollments(org, 90, 120, capacity=3, seed=8)
    roster = prepare_program(org.people, enrollments, default_rules(ProgramKind.REVERSE_MENTORING))
    mentors = [e.person_id for e in enrollments if e.role is Role.MENTOR]
    mentees = [e.person_id for e in enrollments if e.role is Role.MENTEE]
    rng = random.Random(8)
    states = list(MatchState)
    matches = [
        Match(
            f"m{i}",
            ProgramKind.REVERSE_MENTORING,
            (rng.choice(mentors), mentee),
            rng.choice(states),
        )
        for i, mentee in enumerate(mentees[:100])
    ]
    departed = set(rng.sample([e.person_id for e in enrollments], 20))

    base = base_places(roster, departed)
    places = ChainMap(places_taken(roster, base, matches), base)

    in_pool = people_in_pool(enrollments, matches)
    free = remaining_capacity(enrollments, matches)
    expected = {
        e.person_id: free[e.person_id] if e.role is Role.MENTOR else 1
        for e in enrollments
        if e.person_id in in_pool and e.person_id not in departed
    }
    assert {p: n for p, n in places.items() if n > 0} == expected
    assert any(n == 0 for n in places.values()), "some people are matched"
