"""Service layer, matches in the admin's hands, on the fake unit of work: resolving a
flagged match (keep, end, rematch) and ending any live match, each audited."""

from __future__ import annotations

import pytest

from services.matcher import mapping, match_admin, matches
from services.matcher.domain.lifecycle import flag_match
from services.matcher.domain.rules import HardConstraint
from services.matcher.pool import program_pool_input
from shared.auth import Role
from shared.contracts.matching import MatchFlagged
from shared.errors import IllegalTransition
from shared.mongo import NotFound
from tests.support.fakes import principal, staged_audit, staged_events

from .service_world import OTHER_ADMIN, World
from .test_matcher_service_matches import proposed_pair


async def active_pair(world: World) -> dict:
    await proposed_pair(world)
    for member in ("emp-e", "emp-f"):
        async with world.work(principal(member, Role.EMPLOYEE)) as uow:
            doc = await matches.answer_match(uow, match_id="m-1", accept=True)
    assert doc["state"] == "active"
    return doc


async def flagged_pair(world: World) -> dict:
    """m-1, active, then flagged (as an HR manager change does)."""
    doc = await active_pair(world)
    flagged = flag_match(mapping.match_from_doc(doc), "reporting_chain")
    event = MatchFlagged(match_id="m-1", program_id="prog-1", reason_codes=("reporting_chain",))
    async with world.work(None) as uow:
        return await matches.save_match(uow, doc, flagged, [event])


async def last_event(world: World) -> tuple[str, dict]:
    event = (await staged_events(world.database.matches))[-1]
    return event.type, event.data


async def last_audit(world: World) -> tuple[str, str, dict]:
    entry = (await staged_audit(world.database.matches))[-1]
    return entry["action"], entry["target"], entry["details"]


async def test_keeping_a_flagged_match_makes_it_live_again_and_announces_it() -> None:
    world = World()
    await flagged_pair(world)
    async with world.work() as uow:
        doc = await match_admin.resolve_match(uow, match_id="m-1", action="keep")
    assert (doc["state"], doc["note"]) == ("active", "")
    assert await last_event(world) == (
        "mentoring.match.resumed",
        {"match_id": "m-1", "program_id": "prog-1", "reason_code": "flag_resolved_kept"},
    )
    assert await last_audit(world) == (
        "match.resolved",
        "prog-1",
        {"match_id": "m-1", "action": "keep"},
    )


async def test_ending_a_flagged_match_ends_it_with_flag_resolved_ended() -> None:
    world = World()
    await flagged_pair(world)
    async with world.work() as uow:
        doc = await match_admin.resolve_match(uow, match_id="m-1", action="end")
    assert doc["state"] == "ended"
    event_type, data = await last_event(world)
    assert (event_type, data["reason_code"]) == ("mentoring.match.ended", "flag_resolved_ended")


async def test_a_rematch_returns_both_people_to_the_pool_but_never_the_same_pair() -> None:
    world = World()
    await flagged_pair(world)
    async with world.work() as uow:
        before = await program_pool_input(uow, await uow.store.programs.require("prog-1"))
        doc = await match_admin.resolve_match(uow, match_id="m-1", action="rematch")
    assert "emp-e" not in before.table.row_index
    assert doc["state"] == "ended"
    event_type, data = await last_event(world)
    assert (event_type, data["reason_code"]) == ("mentoring.match.ended", "flag_resolved_rematch")
    async with world.work() as uow:
        pool = await program_pool_input(uow, await uow.store.programs.require("prog-1"))
    assert {"emp-e", "emp-f"} <= set(pool.table.row_index)
    assert pool.excluded.violated("emp-e", "emp-f")[HardConstraint.NOT_PREVIOUSLY_MATCHED]


async def test_only_a_flagged_match_is_resolved() -> None:
    world = World()
    await active_pair(world)
    with pytest.raises(IllegalTransition, match="match is not flagged"):
        await match_admin.resolve_match(world.work(), match_id="m-1", action="keep")


async def test_an_admin_ends_a_live_match_once_with_a_reason() -> None:
    world = World()
    await active_pair(world)
    async with world.work() as uow:
        doc = await match_admin.end_match_by_admin(uow, match_id="m-1", reason="moved teams")
    assert (doc["state"], doc["note"]) == ("ended", "moved teams")
    event_type, data = await last_event(world)
    assert (event_type, data["reason_code"]) == ("mentoring.match.ended", "ended_by_admin")
    assert await last_audit(world) == (
        "match.ended",
        "prog-1",
        {"match_id": "m-1", "reason": "moved teams"},
    )
    with pytest.raises(IllegalTransition, match="already ended"):
        await match_admin.end_match_by_admin(world.work(), match_id="m-1", reason=None)


async def test_other_admins_and_members_do_not_see_the_match_to_act_on() -> None:
    world = World()
    await flagged_pair(world)
    for caller in (OTHER_ADMIN, principal("emp-e", Role.EMPLOYEE)):
        with pytest.raises(NotFound):
            await match_admin.resolve_match(world.work(caller), match_id="m-1", action="end")
        with pytest.raises(NotFound):
            await match_admin.end_match_by_admin(world.work(caller), match_id="m-1", reason=None)
