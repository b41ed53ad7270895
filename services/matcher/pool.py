"""A program's current pool, encoded for the domain: enrolled people not in a live
match, mentors with free capacity, leavers left out. Rounds solve it (and a draft is
re-checked against it when published); self-match ranks partners in it.

Pairs never meet twice: not inside the program, and not across programs of the same
kind within ``MATCHER_REPEAT_PAIR_WINDOW_DAYS`` (the matcher's own match history). A
pair where one blocked the other never meets at all (``blocks.py``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from services.matcher import mapping
from services.matcher.domain.lifecycle import people_in_pool, remaining_capacity
from services.matcher.domain.pairing import ProgramInput, prepare_program
from services.matcher.domain.rules import ExcludedPairs
from services.matcher.unit_of_work import Work
from shared.mongo import Document

Pair = tuple[str, str]


@dataclass(frozen=True)
class PoolState:
    """What the pool is made of now: the active enrollments, the program's matches,
    every known person, and the free places of each person in the pool (a mentor's
    remaining capacity, one for anyone else)."""

    enrollments: list[Document]
    matches: list[Document]
    people: list[Document]
    places: dict[str, int]


async def pool_state(uow: Work, program: Document) -> PoolState:
    program_id = program["_id"]
    enrollment_docs = await uow.store.active_enrollments(program_id)
    match_docs = await uow.store.matches_of_program(program_id)
    matches = [mapping.match_from_doc(d) for d in match_docs]
    enrollments = [mapping.enrollment_from_doc(d) for d in enrollment_docs]
    pool = people_in_pool(enrollments, matches)
    free = remaining_capacity(enrollments, matches)
    people_docs = await uow.store.all_people()
    departed = {d["_id"] for d in people_docs if d.get("departed_on")}
    places = {
        d["person_id"]: free[d["person_id"]] if d["role"] == "mentor" else 1
        for d in enrollment_docs
        if d["person_id"] in pool and d["person_id"] not in departed
    }
    return PoolState(enrollment_docs, match_docs, people_docs, places)


def _pairs_of(match_docs: list[Document]) -> list[Pair]:
    return [
        (a, b)
        for d in match_docs
        for i, a in enumerate(d["member_ids"])
        for b in d["member_ids"][i + 1 :]
    ]


async def matched_before(uow: Work, program: Document, match_docs: list[Document]) -> list[Pair]:
    """Pairs that may not meet again: matched in this program (in any state), or
    matched for real (active, flagged or ended) in another program of the same kind
    within the repeat-pair window."""
    since = uow.now - timedelta(days=uow.settings.repeat_pair_window_days)
    history = await uow.store.matches_of_kind_since(program["kind"], since)
    elsewhere = [d for d in history if d["program_id"] != program["_id"]]
    return _pairs_of(match_docs) + _pairs_of(elsewhere)


async def program_pool_input(uow: Work, program: Document) -> ProgramInput:
    """The pool with the program's rules as of today; pairs matched before, and blocked
    pairs, stay apart."""
    state = await pool_state(uow, program)
    pooled = [
        mapping.enrollment_from_doc(d, capacity=state.places[d["person_id"]])
        if d["role"] == "mentor"
        else mapping.enrollment_from_doc(d)
        for d in state.enrollments
        if d["person_id"] in state.places
    ]
    previously = await matched_before(uow, program, state.matches)
    excluded = ExcludedPairs.of(previously, blocked=await uow.store.blocked_pairs())
    people = [mapping.person_from_doc(d) for d in state.people]
    rules = mapping.rules_from_program(program, today=uow.now.date())
    return await asyncio.to_thread(prepare_program, people, pooled, rules, excluded)
