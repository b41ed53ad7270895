"""Service layer, blocks and concerns, on the fake unit of work: a block ends the pair's
live match quietly and keeps them apart; a concern is stored, audited and announced with
ids only, and only the program's admins and its reporter can read it."""

from __future__ import annotations

import pytest

from services.matcher import blocks, concerns, erasure, rounds, self_match
from services.matcher.pool import program_pool_input
from shared.api import PageParams
from shared.auth import Role
from shared.errors import InvalidInput
from shared.mongo import NotFound
from shared.privacy import pseudonym
from tests.support.fakes import principal, staged_audit, staged_events

from .service_world import World, self_match_program
from .test_matcher_service_match_admin import active_pair

EVE = principal("emp-e", Role.EMPLOYEE)
FRED = principal("emp-f", Role.EMPLOYEE)
PAGE = PageParams(limit=50, offset=0)


async def test_a_block_ends_the_live_match_with_a_neutral_reason_and_audits_it() -> None:
    world = World()
    await active_pair(world)

    async with world.work(EVE) as uow:
        await blocks.block_person(uow, person_id="emp-f")

    match = await world.store.matches.require("m-1")
    assert match["state"] == "ended"
    ended = (await staged_events(world.database.matches))[-1]
    assert (ended.type, ended.data["reason_code"]) == ("mentoring.match.ended", "ended_by_member")
    assert "block" not in str(match)
    assert await staged_audit(world.database.matches) == []  # nothing in the program's trail
    [entry] = await staged_audit(world.database.blocks)
    assert (entry["action"], entry["target"]) == ("person.blocked", "emp-e")


async def test_blocking_twice_keeps_one_block_and_only_the_blocker_sees_it() -> None:
    world = World()
    await active_pair(world)
    for _ in range(2):
        async with world.work(EVE) as uow:
            await blocks.block_person(uow, person_id="emp-f")

    async with world.work(EVE) as uow:
        mine, total = await blocks.list_blocks(uow, page=PAGE)
    assert (total, [d["blocked_id"] for d in mine]) == (1, ["emp-f"])
    async with world.work(FRED) as uow:
        assert await blocks.list_blocks(uow, page=PAGE) == ([], 0)


async def test_nobody_blocks_themselves_or_an_unknown_person() -> None:
    world = World()
    await active_pair(world)
    async with world.work(EVE) as uow:
        with pytest.raises(InvalidInput):
            await blocks.block_person(uow, person_id="emp-e")
        with pytest.raises(NotFound):
            await blocks.block_person(uow, person_id="nobody")


async def test_a_blocked_pair_leaves_the_pool_of_later_rounds_until_unblocked() -> None:
    world = World()
    await self_match_program(world, "p-1", "p-2", "p-3")
    async with world.work(principal("p-1", Role.EMPLOYEE)) as uow:
        await blocks.block_person(uow, person_id="p-2")
        pool = await program_pool_input(uow, await uow.store.programs.require("self-1"))
    assert pool.excluded.blocks("p-2", "p-1")

    async with world.work(principal("p-2", Role.EMPLOYEE)) as uow:
        offered = await self_match.suggestions(uow, program_id="self-1", limit=10)
        assert [s["person_id"] for s in offered] == ["p-3"]
        with pytest.raises(self_match.SelfMatchRefused) as refused:
            await self_match.request_partner(uow, program_id="self-1", partner="p-1")
    assert "not an eligible partner" in str(refused.value)

    async with world.work(principal("p-1", Role.EMPLOYEE)) as uow:
        await blocks.unblock_person(uow, person_id="p-2")
        with pytest.raises(NotFound):
            await blocks.unblock_person(uow, person_id="p-2")
        pool = await program_pool_input(uow, await uow.store.programs.require("self-1"))
    assert not pool.excluded.blocks("p-1", "p-2")


async def test_a_draft_published_after_a_block_leaves_the_blocked_pair_out() -> None:
    world = World()
    await active_pair(world)  # prog-1: emp-e and emp-f matched; emp-g and emp-h in the pool
    async with world.work() as uow:
        draft = await rounds.preview_round(uow, program_id="prog-1")
    assert draft["proposal_count"] == 1
    async with world.work(principal("emp-g", Role.EMPLOYEE)) as uow:
        await blocks.block_person(uow, person_id="emp-h")
    async with world.work() as uow:
        await rounds.publish_round(uow, round_id=draft["_id"])
    assert (
        await world.store.matches.get(rounds.match_id_for(draft["_id"], ["emp-g", "emp-h"])) is None
    )


async def test_a_concern_is_stored_audited_and_announced_with_ids_only() -> None:
    world = World()
    await active_pair(world)
    async with world.work(EVE) as uow:
        doc = await concerns.report_concern(
            uow, program_id="prog-1", text="I felt unsafe", about_person_id="emp-f", match_id="m-1"
        )
    [event] = await staged_events(world.database.concerns)
    assert (event.type, event.data) == (
        "mentoring.concern.reported",
        {"concern_id": doc["_id"], "program_id": "prog-1"},
    )
    [entry] = await staged_audit(world.database.concerns)
    assert (entry["action"], entry["target"]) == ("concern.reported", "prog-1")
    assert "unsafe" not in str(entry)


async def test_only_the_programs_admins_and_the_reporter_read_a_concern() -> None:
    world = World()
    await active_pair(world)
    async with world.work(EVE) as uow:
        doc = await concerns.report_concern(
            uow, program_id="prog-1", text="x", about_person_id="emp-f"
        )
    ids = {"program_id": "prog-1", "concern_id": doc["_id"]}

    async with world.work() as uow:
        assert (await concerns.get_concern(uow, **ids))["text"] == "x"
        handled = await concerns.mark_handled(uow, **ids)
        assert handled["status"] == "handled"
        assert (await concerns.list_concerns(uow, program_id="prog-1", page=PAGE))[1] == 1
    async with world.work(EVE) as uow:
        assert (await concerns.get_concern(uow, **ids))["status"] == "handled"
    async with world.work(FRED) as uow:
        with pytest.raises(NotFound):
            await concerns.get_concern(uow, **ids)
        assert await concerns.list_concerns(uow, program_id="prog-1", page=PAGE) == ([], 0)
    async with world.work(principal("adm-b", Role.PROGRAM_ADMIN)) as uow:
        with pytest.raises(NotFound):
            await concerns.mark_handled(uow, **ids)


async def test_only_a_participant_reports_and_only_about_their_own_match() -> None:
    world = World()
    await active_pair(world)
    async with world.work(principal("emp-o", Role.EMPLOYEE)) as uow:
        with pytest.raises(NotFound):
            await concerns.report_concern(uow, program_id="prog-1", text="x")
    async with world.work(principal("emp-g", Role.EMPLOYEE)) as uow:
        with pytest.raises(InvalidInput):
            await concerns.report_concern(uow, program_id="prog-1", text="x", match_id="m-1")


async def test_erasure_forgets_the_persons_blocks_and_pseudonymises_their_concerns() -> None:
    world = World()
    await active_pair(world)
    async with world.work(EVE) as uow:
        await blocks.block_person(uow, person_id="emp-f")
        await concerns.report_concern(
            uow, program_id="prog-1", text="about emp-f", about_person_id="emp-f"
        )
    async with world.work(None) as uow:
        await erasure.erase_person(uow, "emp-f")

    assert await world.database.blocks.find({}).to_list() == []
    [concern] = await world.database.concerns.find({}).to_list()
    alias = pseudonym("emp-f")
    assert (concern["about_person_id"], concern["text"]) == (alias, f"about {alias}")
    assert "emp-f" not in str(concern)
