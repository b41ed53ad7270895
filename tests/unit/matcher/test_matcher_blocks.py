"""A block between two people: a hard constraint every solver and self-match honours,
and one that no explanation, diagnosis or lock refusal names."""

from __future__ import annotations

import pytest

from services.matcher.domain.circles import form_peer_groups
from services.matcher.domain.pairing import (
    ProgramInput,
    match_peer_coaching,
    match_reverse_mentoring,
    prepare_program,
)
from services.matcher.domain.rounds import AdjustmentError, RoundAdjustments, solve_round
from services.matcher.domain.rules import ExcludedPairs, ProgramKind, default_rules
from services.matcher.domain.suggestions import suggest_partners

from .factories import mentee, mentor, peer, person, synthetic_mentoring, synthetic_peers

BLOCK_WORDS = ("block", "blocked")


def _blocking(program: ProgramInput, *pairs: tuple[str, str]) -> ProgramInput:
    return program.with_excluded(ExcludedPairs.of(blocked=pairs))


def _only_pair() -> ProgramInput:
    """One mentor and one mentee who would be each other's only match."""
    people = [person("junior", level=2), person("senior", level=8, department="ops")]
    rules = default_rules(ProgramKind.REVERSE_MENTORING, min_overlap_hours=0)
    return prepare_program(people, [mentor("junior"), mentee("senior")], rules)


def test_a_blocked_mentor_mentee_pair_is_never_proposed() -> None:
    program = synthetic_mentoring(600, seed=51)
    draft = match_reverse_mentoring(program)
    blocked = [p.person_ids for p in draft.pairs[:20]]

    again = match_reverse_mentoring(_blocking(program, *blocked))

    assert not set(blocked) & {p.person_ids for p in again.pairs}
    assert len(again.pairs) >= len(draft.pairs) - len(blocked)


def test_a_blocked_peer_pair_is_never_proposed_whichever_way_round_it_was_blocked() -> None:
    program = synthetic_peers(600, 200, seed=52)
    draft = match_peer_coaching(program)
    blocked = [(b, a) for a, b in (p.person_ids for p in draft.pairs[:20])]

    again = match_peer_coaching(_blocking(program, *blocked))

    keys = {frozenset(p) for p in blocked}
    assert not keys & {frozenset(p.person_ids) for p in again.pairs}


def test_a_blocked_pair_never_shares_a_circle() -> None:
    program = synthetic_peers(600, 200, seed=53, kind=ProgramKind.PEER_GROUP)
    first = form_peer_groups(program, max_rounds=20)
    blocked = [c.member_ids[:2] for c in first.circles[:10]]

    again = form_peer_groups(_blocking(program, *blocked), max_rounds=20)

    for a, b in blocked:
        assert not any(a in c.member_ids and b in c.member_ids for c in again.circles)
    assert again.violations == ()


def test_a_person_whose_only_partner_blocked_them_stays_unmatched_without_a_named_reason() -> None:
    result = match_reverse_mentoring(_blocking(_only_pair(), ("senior", "junior")))

    assert result.pairs == ()
    for unmatched in result.unmatched:
        assert unmatched.constraint is None
        assert not any(word in unmatched.detail for word in BLOCK_WORDS)


def test_suggestions_skip_a_blocked_person_as_if_they_were_not_enrolled() -> None:
    people = [person("a"), person("b", department="ops"), person("c", department="hr")]
    rules = default_rules(ProgramKind.PEER_COACHING, min_overlap_hours=0)
    program = prepare_program(people, [peer("a"), peer("b"), peer("c")], rules)
    assert {s.person_id for s in suggest_partners(program, "a")} == {"b", "c"}

    blocked = _blocking(program, ("b", "a"))

    assert {s.person_id for s in suggest_partners(blocked, "a")} == {"c"}
    assert {s.person_id for s in suggest_partners(blocked, "b")} == {"c"}


def test_an_admin_lock_on_a_blocked_pair_is_refused_without_saying_why() -> None:
    program = _blocking(_only_pair(), ("junior", "senior"))

    with pytest.raises(AdjustmentError) as refused:
        solve_round(program, RoundAdjustments().lock_pair("junior", "senior"))

    assert not any(word in str(refused.value) for word in BLOCK_WORDS)


def test_explanations_never_name_a_block() -> None:
    program = _blocking(_only_pair(), ("junior", "other"))
    (pair,) = match_reverse_mentoring(program).pairs
    codes = {c.value for c in pair.explanation.constraints_satisfied}
    assert not any(word in code for code in codes for word in BLOCK_WORDS)
