"""Service layer, flash programs: opened and enrolled in like any program, but they have
no rounds, suggestions or partner requests (people book offered slots in sessions)."""

from __future__ import annotations

import pytest

from services.matcher import enrollments, programs, rounds, self_match
from services.matcher.schemas import EnrollmentCreate, ProgramCreate
from shared.auth import Role
from shared.contracts.matching import MemberRole, ProgramKind
from shared.errors import IllegalTransition
from tests.support.fakes import principal, staged_events

from .service_world import World, person

PEOPLE = ("emp-a", "emp-b")


async def flash_program(world: World, matching_mode: str = "curated") -> str:
    await world.people(*(person(p, f"d-{p}") for p in PEOPLE))
    async with world.work() as uow:
        program, _ = await programs.open_program(
            uow,
            program_id="flash-1",
            request=ProgramCreate(
                name="Flash", kind=ProgramKind.FLASH, matching_mode=matching_mode
            ),
        )
    for pid in PEOPLE:
        async with world.work() as uow:
            await enrollments.enroll(
                uow,
                program_id="flash-1",
                request=EnrollmentCreate(person_id=pid, role=MemberRole.PEER),
            )
    return str(program["_id"])


async def test_a_flash_program_opens_and_enrolls_peers_like_any_program() -> None:
    world = World()
    await flash_program(world)
    [opened] = await staged_events(world.database.programs)
    assert opened.type == "mentoring.program.opened" and opened.data["kind"] == "flash"
    enrolled = await staged_events(world.database.enrollments)
    assert sorted(e.data["person_id"] for e in enrolled) == list(PEOPLE)


async def test_a_flash_program_refuses_a_matching_round_with_a_clear_reason() -> None:
    world = World()
    program_id = await flash_program(world)
    async with world.work() as uow:
        with pytest.raises(rounds.RoundRefused, match="flash program has no matching rounds"):
            await rounds.preview_round(uow, program_id=program_id)
    assert await world.database.rounds.count_documents({}) == 0


async def test_a_flash_program_refuses_suggestions_and_partner_requests() -> None:
    world = World()
    program_id = await flash_program(world, matching_mode="self_match")
    asker = principal("emp-a", Role.EMPLOYEE)
    async with world.work(asker) as uow:
        with pytest.raises(IllegalTransition, match="flash program has no suggestions"):
            await self_match.suggestions(uow, program_id=program_id, limit=5)
    async with world.work(asker) as uow:
        with pytest.raises(IllegalTransition, match="flash program has no suggestions"):
            await self_match.request_partner(uow, program_id=program_id, partner="emp-b")
    assert await world.database.matches.count_documents({}) == 0
