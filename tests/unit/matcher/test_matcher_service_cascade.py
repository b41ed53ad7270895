"""Service layer, the self-match cascade, on the fake unit of work: a request that is
declined or expires offers the requester their next suggestion; none left, nothing."""

from __future__ import annotations

from datetime import timedelta

from services.matcher import incoming, matches, self_match
from shared.auth import Role
from tests.support.fakes import principal, staged_events

from .service_world import NOW, World, self_match_program

ANA = principal("emp-e", Role.EMPLOYEE)


async def request(world: World, partner: str) -> str:
    async with world.work(ANA) as uow:
        doc = await self_match.request_partner(uow, program_id="self-1", partner=partner)
    return str(doc["_id"])


async def suggestions_staged(world: World) -> list[dict]:
    events = await staged_events(world.database.matches)
    return [e.data for e in events if e.type == "mentoring.match.suggested"]


async def test_a_declined_request_offers_the_requester_the_next_suggestion() -> None:
    world = World()
    await self_match_program(world, "emp-e", "emp-f", "emp-g")
    match_id = await request(world, "emp-f")
    async with world.work(principal("emp-f", Role.EMPLOYEE)) as uow:
        await matches.answer_match(uow, match_id=match_id, accept=False)
    assert await suggestions_staged(world) == [
        {
            "match_id": match_id,
            "program_id": "self-1",
            "person_id": "emp-e",
            "suggested_person_id": "emp-g",
        }
    ]


async def test_an_expired_request_offers_the_next_suggestion_too() -> None:
    world = World()
    await self_match_program(world, "emp-e", "emp-f", "emp-g")
    match_id = await request(world, "emp-g")
    async with world.work(None, now=NOW + timedelta(hours=49)) as uow:
        assert await incoming.expire_unanswered_proposals(uow) == 1
    [suggested] = await suggestions_staged(world)
    assert (suggested["match_id"], suggested["suggested_person_id"]) == (match_id, "emp-f")


async def test_no_suggestion_left_stages_nothing() -> None:
    world = World()
    await self_match_program(world, "emp-e", "emp-f")
    match_id = await request(world, "emp-f")
    async with world.work(principal("emp-f", Role.EMPLOYEE)) as uow:
        doc = await matches.answer_match(uow, match_id=match_id, accept=False)
    assert doc["state"] == "declined"
    assert await suggestions_staged(world) == []
