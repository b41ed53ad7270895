import pytest

from services.matcher.domain.pairing import prepare_program
from services.matcher.domain.results import MatchingResult
from services.matcher.domain.rounds import (
    AdjustmentError,
    RoundAdjustments,
    solve_round,
    swap_mentees,
)
from services.matcher.domain.rules import ProgramKind, default_rules

from .factories import mentee, mentor, person, synthetic_mentoring, synthetic_peers


def _mentor_of(result: MatchingResult, mentee_id: str) -> str:
    (mentor_id,) = [p.person_ids[0] for p in result.pairs if p.person_ids[1] == mentee_id]
    return mentor_id


def test_swap_mentees_exchanges_their_mentors_after_resolve() -> None:
    program = synthetic_mentoring(600, seed=41)
    draft = solve_round(program, RoundAdjustments())
    a, b = draft.pairs[0].person_ids[1], draft.pairs[1].person_ids[1]
    adjusted = swap_mentees(draft, RoundAdjustments(), a, b)
    again = solve_round(program, adjusted)
    assert _mentor_of(again, a) == _mentor_of(draft, b)
    assert _mentor_of(again, b) == _mentor_of(draft, a)
    assert sum(p.locked for p in again.pairs) == 2


def test_forbidden_pair_disappears_from_the_next_draft() -> None:
    program = synthetic_mentoring(600, seed=42)
    draft = solve_round(program, RoundAdjustments())
    pair = draft.pairs[0].person_ids
    again = solve_round(program, RoundAdjustments().forbid_pair(*pair))
    assert pair not in {p.person_ids for p in again.pairs}


def test_locked_pair_is_kept_even_when_it_is_not_a_top_candidate() -> None:
    people = [
        person("m1", level=1, skills={"py": 5}),
        person("m2", level=1),
        person("s1", level=6),
        person("s2", level=6),
    ]
    program = prepare_program(
        people,
        [mentor("m1"), mentor("m2"), mentee("s1", wants={"py"}), mentee("s2")],
        default_rules(ProgramKind.REVERSE_MENTORING),
    )
    draft = solve_round(program, RoundAdjustments())
    assert _mentor_of(draft, "s1") == "m1"
    locked = solve_round(program, RoundAdjustments().lock_pair("m2", "s1"))
    assert _mentor_of(locked, "s1") == "m2"
    assert _mentor_of(locked, "s2") == "m1"


def test_forbid_then_lock_same_pair_keeps_only_the_lock() -> None:
    adj = RoundAdjustments().forbid_pair("m", "s").lock_pair("m", "s")
    assert adj.locked == (("m", "s"),)
    assert adj.forbidden == frozenset()


def test_locking_a_mentee_to_two_mentors_is_rejected() -> None:
    program = synthetic_mentoring(300, seed=43)
    draft = solve_round(program, RoundAdjustments())
    (m1, s1), (m2, _) = draft.pairs[0].person_ids, draft.pairs[1].person_ids
    with pytest.raises(AdjustmentError):
        solve_round(program, RoundAdjustments().lock_pair(m1, s1).lock_pair(m2, s1))


def test_lock_with_roles_reversed_is_rejected() -> None:
    program = synthetic_mentoring(300, seed=44)
    draft = solve_round(program, RoundAdjustments())
    m, s = draft.pairs[0].person_ids
    with pytest.raises(AdjustmentError):
        solve_round(program, RoundAdjustments().lock_pair(s, m))


def test_peer_round_honours_locks_and_forbids() -> None:
    program = synthetic_peers(800, 300, seed=45)
    draft = solve_round(program, RoundAdjustments())
    a, b = draft.pairs[0].person_ids
    c, d = draft.pairs[1].person_ids
    again = solve_round(program, RoundAdjustments().forbid_pair(a, b).lock_pair(a, c))
    pairs = {frozenset(p.person_ids) for p in again.pairs}
    assert frozenset((a, c)) in pairs and frozenset((a, b)) not in pairs
    assert d not in {x for p in pairs for x in p} or frozenset((c, d)) not in pairs


def _two_by_two(**overrides: object) -> object:
    """Mentors m1, m2 (level 1) and mentees s1, s2 (level 6); ``overrides`` change people."""
    people = {
        "m1": person("m1", level=1),
        "m2": person("m2", level=1),
        "s1": person("s1", level=6),
        "s2": person("s2", level=6),
    }
    people.update(overrides)  # type: ignore[arg-type]
    return prepare_program(
        list(people.values()),
        [mentor("m1"), mentor("m2"), mentee("s1"), mentee("s2")],
        default_rules(ProgramKind.REVERSE_MENTORING, require_different_department=True),
    )


@pytest.mark.parametrize(
    ("override", "rule"),
    [
        (
            {"m1": person("m1", level=1, manager="s1", department="ops")},
            "not_in_same_reporting_chain",
        ),
        ({"m1": person("m1", level=7, department="ops")}, "mentor_junior_to_mentee"),
        ({"m1": person("m1", level=1), "s1": person("s1", level=6)}, "different_department"),
        ({"m1": person("m1", level=1, department="ops", languages=("fr",))}, "shared_language"),
        (
            {"m1": person("m1", level=1, department="ops", timezone="Pacific/Kiritimati")},
            "working_hours_overlap",
        ),
    ],
)
def test_a_lock_breaking_a_hard_rule_is_refused_naming_the_rule(
    override: dict[str, object], rule: str
) -> None:
    people = {"s1": person("s1", level=6, department="sales"), **override}
    program = _two_by_two(**people)
    with pytest.raises(AdjustmentError, match=rule):
        solve_round(program, RoundAdjustments().lock_pair("m1", "s1"))  # type: ignore[arg-type]


def test_a_lock_keeping_every_hard_rule_is_applied() -> None:
    program = _two_by_two(
        m1=person("m1", level=1, department="ops"), s1=person("s1", level=6, department="sales")
    )
    locked = solve_round(program, RoundAdjustments().lock_pair("m1", "s1"))  # type: ignore[arg-type]
    assert _mentor_of(locked, "s1") == "m1"


def test_a_lock_of_someone_outside_the_pool_says_so() -> None:
    program = _two_by_two()
    with pytest.raises(AdjustmentError, match="not in this round's pool"):
        solve_round(program, RoundAdjustments().lock_pair("m9", "s1"))  # type: ignore[arg-type]
