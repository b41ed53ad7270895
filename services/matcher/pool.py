"""A program's current pool, encoded for the domain: enrolled people not in a live
match, mentors with free capacity, leavers left out. Rounds solve it; self-match
ranks partners in it."""

from __future__ import annotations

import asyncio

from services.matcher import mapping
from services.matcher.domain.lifecycle import people_in_pool, remaining_capacity
from services.matcher.domain.pairing import ProgramInput, prepare_program
from services.matcher.domain.rules import ExcludedPairs
from services.matcher.unit_of_work import Work
from shared.mongo import Document


async def program_pool_input(uow: Work, program: Document) -> ProgramInput:
    """The pool with the program's rules as of today; pairs matched before stay apart."""
    program_id = program["_id"]
    enrollment_docs = await uow.store.active_enrollments(program_id)
    match_docs = await uow.store.matches_of_program(program_id)
    matches = [mapping.match_from_doc(d) for d in match_docs]
    enrollments = [mapping.enrollment_from_doc(d) for d in enrollment_docs]
    pool = people_in_pool(enrollments, matches)
    free = remaining_capacity(enrollments, matches)
    people_docs = await uow.store.all_people()
    departed = {d["_id"] for d in people_docs if d.get("departed_on")}
    pooled = [
        mapping.enrollment_from_doc(d, capacity=free.get(d["person_id"]))
        if d["role"] == "mentor"
        else mapping.enrollment_from_doc(d)
        for d in enrollment_docs
        if d["person_id"] in pool and d["person_id"] not in departed
    ]
    previously = [
        (a, b)
        for d in match_docs
        for i, a in enumerate(d["member_ids"])
        for b in d["member_ids"][i + 1 :]
    ]
    people = [mapping.person_from_doc(d) for d in people_docs]
    rules = mapping.rules_from_program(program, today=uow.now.date())
    return await asyncio.to_thread(
        prepare_program, people, pooled, rules, ExcludedPairs.of(previously_matched=previously)
    )
