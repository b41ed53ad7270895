"""Self-match suggestions: feasible partners only, best first."""

from __future__ import annotations

from services.matcher.domain.pairing import prepare_program
from services.matcher.domain.people import Role
from services.matcher.domain.rules import ProgramKind, default_rules
from services.matcher.domain.suggestions import PartnerIndex, suggest_partners
from tests.unit.matcher.factories import mentee, mentor, person


def test_mentee_sees_feasible_mentors_ranked_by_score_and_never_their_own_manager() -> None:
    people = [
        person("boss", level=9),
        person("lead", level=8, manager="boss", skills={}),
        person("report", level=2, manager="lead", skills={"ai": 5}),
        person("ai_whiz", level=2, department="data", skills={"ai": 5}),
        person("generalist", level=2, department="ops", skills={"excel": 3}),
    ]
    enrollments = [
        mentee("lead", wants=["ai"]),
        mentor("report"),
        mentor("ai_whiz"),
        mentor("generalist"),
    ]
    program = prepare_program(
        people, enrollments, default_rules(ProgramKind.REVERSE_MENTORING, min_overlap_hours=0)
    )

    suggestions = suggest_partners(program, "lead", limit=5)

    ids = [s.person_id for s in suggestions]
    assert "report" not in ids, "a direct report is inside the mentee's reporting chain"
    assert ids[0] == "ai_whiz"
    assert set(ids) == {"ai_whiz", "generalist"}
    assert all(s.role is Role.MENTOR for s in suggestions)
    totals = [s.explanation.total for s in suggestions]
    assert totals == sorted(totals, reverse=True)


def test_mentor_sees_mentees_and_a_peer_never_sees_themselves() -> None:
    people = [person("m", level=2), person("x", level=8), person("y", level=9)]
    program = prepare_program(
        people,
        [mentor("m"), mentee("x"), mentee("y")],
        default_rules(ProgramKind.REVERSE_MENTORING, min_overlap_hours=0),
    )
    assert {s.person_id for s in suggest_partners(program, "m")} == {"x", "y"}

    from tests.unit.matcher.factories import peer

    peers = prepare_program(
        [person("a"), person("b", department="ops"), person("c", department="hr")],
        [peer("a"), peer("b"), peer("c")],
        default_rules(ProgramKind.PEER_COACHING, min_overlap_hours=0),
    )
    assert {s.person_id for s in suggest_partners(peers, "a")} == {"b", "c"}


def test_a_partner_index_kept_for_the_roster_ranks_as_one_built_per_call() -> None:
    """The index the roster cache keeps (each role's rows, ids in order for ties)."""
    names = ["m10", "m2", "m1", "x", "y"]
    program = prepare_program(
        [person(n, level=2) for n in names[:3]] + [person("x", level=8), person("y", level=9)],
        [mentor("m10"), mentor("m2"), mentor("m1"), mentee("x"), mentee("y")],
        default_rules(ProgramKind.REVERSE_MENTORING, min_overlap_hours=0),
    )
    index = PartnerIndex.of(program.table)

    by_id = sorted(program.table.ids)
    assert [by_id[rank] for rank in index.id_rank] == list(program.table.ids)
    assert {program.table.ids[r] for r in index.rows_by_role[Role.MENTOR]} == set(names[:3])
    assert suggest_partners(program, "x", limit=2, index=index) == suggest_partners(
        program, "x", limit=2
    )
