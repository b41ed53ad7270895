"""Service layer, rounds and programs, on the fake unit of work: what a round publish
stages (events, audit entries), and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from services.matcher import enrollments, programs, rounds
from services.matcher.schemas import EnrollmentCreate, ProgramCreate
from shared.contracts.matching import MemberRole, ProgramKind
from shared.mongo import NotFound
from tests.support.fakes import staged_audit, staged_events

from .service_world import ADMIN, OTHER_ADMIN, World, person

PEERS = [("emp-e", "a"), ("emp-f", "b"), ("emp-g", "c"), ("emp-h", "d")]


async def peer_program(world: World, **settings: Any) -> str:
    """``prog-1``: four peers enrolled in a peer-coaching program (with ``settings``)."""
    await world.people(*(person(p, d) for p, d in PEERS))
    async with world.work() as uow:
        program, created = await programs.open_program(
            uow,
            program_id="prog-1",
            request=ProgramCreate(
                name="Peers",
                kind=ProgramKind.PEER_COACHING,
                rules={"min_overlap_hours": 0},
                **settings,
            ),
        )
    assert created
    for pid, _ in PEERS:
        async with world.work() as uow:
            await enrollments.enroll(
                uow,
                program_id=program["_id"],
                request=EnrollmentCreate(person_id=pid, role=MemberRole.PEER),
            )
    return str(program["_id"])


async def test_opening_a_program_announces_it_and_audits_it_in_the_same_write() -> None:
    world = World()
    async with world.work() as uow:
        doc, created = await programs.open_program(
            uow, program_id="prog-x", request=ProgramCreate(name="X", kind=ProgramKind.PEER_GROUP)
        )
    assert created and uow.committed
    assert doc["admin_ids"] == ["adm-a"]  # the caller runs what they open
    [event] = await staged_events(world.database.programs)
    assert (event.id, event.type) == ("prog-x:opened", "mentoring.program.opened")
    [entry] = await staged_audit(world.database.programs)
    assert (entry["actor"], entry["action"], entry["target"]) == (
        "adm-a",
        "program.created",
        "prog-x",
    )


async def test_publishing_a_round_proposes_every_match_and_audits_on_the_round() -> None:
    world = World()
    program_id = await peer_program(world)
    async with world.work() as uow:
        draft = await rounds.preview_round(uow, program_id=program_id)
    assert draft["proposal_count"] == 2
    async with world.work() as uow:
        published = await rounds.publish_round(uow, round_id=draft["_id"])
    assert published["status"] == "published"

    matches = await world.database.matches.find({}).to_list()
    assert len(matches) == 2
    for match in matches:
        assert match["state"] == "proposed" and match["version"] == 1
        assert match["responses"] == {p: "pending" for p in match["member_ids"]}
        assert match["round_id"] == draft["_id"]
    events = await staged_events(world.database.matches)
    assert sorted(e.id for e in events) == sorted(f"{m['_id']}:proposed" for m in matches)
    assert {e.type for e in events} == {"mentoring.match.proposed"}
    actions = [(e["action"], e["details"]) for e in await staged_audit(world.database.rounds)]
    assert actions == [
        ("round.previewed", {"round_id": draft["_id"], "proposals": 2}),
        ("round.published", {"round_id": draft["_id"], "proposals": 2}),
    ]


async def test_publishing_twice_proposes_nothing_new() -> None:
    world = World()
    program_id = await peer_program(world)
    async with world.work() as uow:
        draft = await rounds.preview_round(uow, program_id=program_id)
    for _ in range(2):
        async with world.work() as uow:
            await rounds.publish_round(uow, round_id=draft["_id"])
    assert await world.database.matches.count_documents({}) == 2
    assert len(await staged_events(world.database.matches)) == 2


async def test_a_draft_missing_some_of_its_proposals_is_refused_and_nothing_is_proposed() -> None:
    """Say a draft stored by an earlier version in another shape: publishing what is left
    of it would match fewer people than the admin previewed."""
    world = World()
    program_id = await peer_program(world)
    async with world.work() as uow:
        draft = await rounds.preview_round(uow, program_id=program_id)
    await world.database.round_proposal_pages.delete_many({})
    with pytest.raises(rounds.RoundRefused, match="holds 0 of its 2 proposals"):
        async with world.work() as uow:
            await rounds.publish_round(uow, round_id=draft["_id"])
    assert await world.database.matches.count_documents({}) == 0


async def test_another_admins_round_is_not_found_and_nothing_is_proposed() -> None:
    world = World()
    program_id = await peer_program(world)
    async with world.work() as uow:
        draft = await rounds.preview_round(uow, program_id=program_id)
    uow = world.work(OTHER_ADMIN)
    with pytest.raises(NotFound):
        async with uow:
            await rounds.publish_round(uow, round_id=draft["_id"])
    assert not uow.committed
    assert await world.database.matches.count_documents({}) == 0


async def test_a_published_round_refuses_adjustments() -> None:
    world = World()
    program_id = await peer_program(world)
    async with world.work(ADMIN) as uow:
        draft = await rounds.preview_round(uow, program_id=program_id)
        await rounds.publish_round(uow, round_id=draft["_id"])
    with pytest.raises(rounds.RoundRefused):
        await rounds.adjust_round(
            world.work(), round_id=draft["_id"], lock=[], forbid=[("emp-e", "emp-f")], swap=[]
        )
