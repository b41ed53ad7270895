"""A batch of HR changes against live matches, on the fake unit of work: every match it
puts in breach is flagged once, and the same batch again announces nothing new."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.matcher import incoming, matches
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonUpserted
from shared.contracts.registry import ParsedEvent
from tests.support.fakes import staged_events

from .service_world import NOW, World
from .test_matcher_service_rounds import PEERS, peer_program

PAIRS = {"m-1": ("emp-e", "emp-f"), "m-2": ("emp-g", "emp-h")}


async def proposed_pairs(world: World) -> None:
    async with world.work() as uow:
        program = await uow.store.programs.require(await peer_program(world))
        docs = [
            matches.propose_match(
                uow,
                program,
                match_id=match_id,
                round_id=None,
                members=[{"person_id": p, "role": "peer"} for p in pair],
                explanation={"total_score": 1.0, "contributions": {}, "constraints_satisfied": []},
                expires_at=NOW + timedelta(hours=48),
            )
            for match_id, pair in PAIRS.items()
        ]
        await uow.store.insert_matches(docs)


def upserted(person_id: str, **fields: Any) -> ParsedEvent:
    department = dict(PEERS)[person_id]
    data = PersonUpserted(
        person_id=person_id,
        display_name=person_id,
        email=f"{person_id}@example.com",
        level=4,
        department=department,
        languages=["en"],
        interests=["x"],
        **fields,
    )
    return ParsedEvent(Envelope.wrap(data, source="urn:hr", subject=person_id), data)


async def flags(world: World) -> list[str]:
    return [
        e.subject
        for e in await staged_events(world.database.matches)
        if e.type == "mentoring.match.flagged"
    ]


async def test_a_batch_flags_each_match_it_puts_in_one_reporting_chain_once() -> None:
    world = World()
    await proposed_pairs(world)
    batch = [
        upserted("emp-e", manager_id="emp-f"),  # m-1's members now in one chain
        upserted("emp-f"),
        upserted("emp-h", manager_id="emp-g"),  # and m-2's
    ]
    async with world.work(None) as uow:
        await incoming.on_person_upserted(uow, batch)
    assert sorted(await flags(world)) == ["m-1", "m-2"]
    for match_id in PAIRS:
        assert (await world.store.matches.require(match_id))["state"] == "flagged"

    async with world.work(None) as uow:
        await incoming.on_person_upserted(uow, batch)
    assert sorted(await flags(world)) == ["m-1", "m-2"]


async def test_a_change_that_breaks_no_constraint_flags_nothing() -> None:
    world = World()
    await proposed_pairs(world)
    async with world.work(None) as uow:
        await incoming.on_person_upserted(uow, [upserted("emp-e", title="Lead")])
    assert await flags(world) == []
    assert (await world.store.matches.require("m-1"))["state"] == "proposed"
