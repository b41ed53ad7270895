"""Service layer, matches, on the fake unit of work: answers, self-match requests,
expiry and HR departures, each one versioned write with the events announcing it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.matcher import incoming, matches, self_match
from shared.auth import Role
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonDeparted, PersonErased
from shared.contracts.registry import ParsedEvent
from shared.errors import IllegalTransition
from shared.mongo import NotFound
from shared.privacy import pseudonym
from tests.support.fakes import principal, staged_events

from .service_world import NOW, World, self_match_program
from .test_matcher_service_rounds import peer_program

ANA = principal("emp-e", Role.EMPLOYEE)


async def proposed_pair(world: World) -> dict:
    async with world.work() as uow:
        program = await uow.store.programs.require(await peer_program(world))
        doc = matches.propose_match(
            uow,
            program,
            match_id="m-1",
            round_id=None,
            members=[
                {"person_id": "emp-e", "role": "peer"},
                {"person_id": "emp-f", "role": "peer"},
            ],
            explanation={"total_score": 1.0, "contributions": {}, "constraints_satisfied": []},
            expires_at=NOW + timedelta(hours=48),
        )
        await uow.store.insert_matches([doc])
    return await world.store.matches.require("m-1")


async def test_both_members_accepting_activates_the_match() -> None:
    world = World()
    await proposed_pair(world)
    async with world.work(ANA) as uow:
        await matches.answer_match(uow, match_id="m-1", accept=True)
    async with world.work(principal("emp-f", Role.EMPLOYEE)) as uow:
        doc = await matches.answer_match(uow, match_id="m-1", accept=True)
    assert doc["state"] == "active"
    ids = [e.id for e in await staged_events(world.database.matches)]
    assert ids == [
        "m-1:proposed",
        "m-1:1:mentoring.match.accepted",
        "m-1:2:mentoring.match.accepted",
        "m-1:2:mentoring.match.activated",
    ]


async def test_a_non_member_cannot_see_or_answer_a_match() -> None:
    world = World()
    await proposed_pair(world)
    stranger = world.work(principal("emp-o", Role.EMPLOYEE))
    with pytest.raises(NotFound):
        await matches.answer_match(stranger, match_id="m-1", accept=True)
    with pytest.raises(NotFound):
        await matches.get_match(stranger, match_id="m-1")


async def test_answering_a_declined_match_is_an_illegal_transition() -> None:
    world = World()
    await proposed_pair(world)
    async with world.work(ANA) as uow:
        await matches.answer_match(uow, match_id="m-1", accept=False)
    with pytest.raises(IllegalTransition):
        await matches.answer_match(world.work(ANA), match_id="m-1", accept=True)


async def test_an_unanswered_proposal_expires_as_declined() -> None:
    world = World()
    await proposed_pair(world)
    async with world.work(None, now=NOW + timedelta(hours=49)) as uow:
        assert await incoming.expire_unanswered_proposals(uow) == 1
    doc = await world.store.matches.require("m-1")
    assert (doc["state"], doc["note"]) == ("declined", "expired")


async def test_a_departure_ends_the_leavers_live_pair_and_is_kept_in_the_projection() -> None:
    world = World()
    await proposed_pair(world)
    departed = PersonDeparted(person_id="emp-f", departed_on=date(2026, 3, 1))
    event = ParsedEvent(Envelope.wrap(departed, source="urn:hr", subject="emp-f"), departed)
    async with world.work(None) as uow:
        await incoming.on_person_departed(uow, [event])
    assert (await world.store.matches.require("m-1"))["state"] == "ended"
    assert (await world.store.person("emp-f"))["departed_on"] == "2026-03-01"
    types = [e.type for e in await staged_events(world.database.matches)]
    assert types[-1] == "mentoring.match.ended"


async def test_a_self_match_request_is_a_proposal_the_requester_already_accepted() -> None:
    world = World()
    await self_match_program(world, "emp-e", "emp-f")
    async with world.work(ANA) as uow:
        doc = await self_match.request_partner(uow, program_id="self-1", partner="emp-f")
    assert doc["responses"] == {"emp-e": "accepted", "emp-f": "pending"}
    ids = [e.id for e in await staged_events(world.database.matches)]
    assert ids == [f"{doc['_id']}:proposed", f"{doc['_id']}:requested"]


async def test_an_erased_person_is_forgotten_and_pseudonymised_in_their_matches() -> None:
    world = World()
    await proposed_pair(world)
    erased = PersonErased(person_id="emp-f")
    event = ParsedEvent(Envelope.wrap(erased, source="urn:hr", subject="emp-f"), erased)
    async with world.work(None) as uow:
        await incoming.on_person_erased(uow, [event])
    assert await world.store.person("emp-f") is None
    match = await world.store.matches.require("m-1")
    assert match["state"] == "ended"
    assert match["member_ids"] == ["emp-e", pseudonym("emp-f")]
    assert await world.database.enrollments.count_documents({"person_id": "emp-f"}) == 0
