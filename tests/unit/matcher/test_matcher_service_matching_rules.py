"""Service layer, the matching rules that look beyond one draft, on the fake unit of
work: no repeat pairs across programs of the same kind within the window, and a stale
draft is refused at publish."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.matcher import enrollments, incoming, programs, rounds
from services.matcher.pool import matched_before
from services.matcher.schemas import EnrollmentCreate, ProgramCreate
from services.matcher.settings import MatcherSettings
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonDeparted
from shared.contracts.matching import MemberRole, ProgramKind
from shared.contracts.registry import ParsedEvent
from shared.errors import IllegalTransition

from .service_world import NOW, World
from .test_matcher_service_match_admin import active_pair
from .test_matcher_service_rounds import peer_program


async def second_program(world: World, kind: ProgramKind, *people: str) -> str:
    async with world.work() as uow:
        program, _ = await programs.open_program(
            uow,
            program_id=f"again-{kind.value}",
            request=ProgramCreate(name="Again", kind=kind, rules={"min_overlap_hours": 0}),
        )
        for pid in people:
            await enrollments.enroll(
                uow,
                program_id=program["_id"],
                request=EnrollmentCreate(person_id=pid, role=MemberRole.PEER),
            )
    return str(program["_id"])


async def test_a_pair_is_not_matched_again_in_a_program_of_the_same_kind() -> None:
    world = World()
    await active_pair(world)  # emp-e + emp-f, active in prog-1 (peer coaching)
    program_id = await second_program(world, ProgramKind.PEER_COACHING, "emp-e", "emp-f")
    later = NOW + timedelta(days=300)
    async with world.work(now=later) as uow:
        draft = await rounds.preview_round(uow, program_id=program_id)
    assert draft["proposal_count"] == 0
    assert {u["person_id"] for u in draft["unmatched"]} == {"emp-e", "emp-f"}


async def test_after_the_window_or_in_another_kind_the_pair_may_meet_again() -> None:
    world = World()
    await active_pair(world)
    program_id = await second_program(world, ProgramKind.PEER_COACHING, "emp-e", "emp-f")
    short = MatcherSettings(repeat_pair_window_days=30)
    async with world.work(now=NOW + timedelta(days=31), settings=short) as uow:
        draft = await rounds.preview_round(uow, program_id=program_id)
    assert draft["proposal_count"] == 1
    other_kind = await second_program(world, ProgramKind.PEER_GROUP, "emp-e", "emp-f")
    async with world.work() as uow:
        program = await uow.store.programs.require(other_kind)
        assert await matched_before(uow, program, []) == []


async def test_two_drafts_of_one_program_the_second_publish_is_refused() -> None:
    world = World()
    program_id = await peer_program(world)
    async with world.work() as uow:
        first = await rounds.preview_round(uow, program_id=program_id)
        second = await rounds.preview_round(uow, program_id=program_id)
        await rounds.publish_round(uow, round_id=first["_id"])
    with pytest.raises(IllegalTransition, match="is stale"):
        await rounds.publish_round(world.work(), round_id=second["_id"])
    async with world.work() as uow:  # publishing the first again stays idempotent
        assert (await rounds.publish_round(uow, round_id=first["_id"]))["status"] == "published"


async def test_a_draft_with_a_withdrawn_or_departed_person_is_refused() -> None:
    world = World()
    program_id = await peer_program(world)
    async with world.work() as uow:
        draft = await rounds.preview_round(uow, program_id=program_id)
        await enrollments.withdraw(uow, program_id=program_id, person_id="emp-e")
    with pytest.raises(IllegalTransition, match="emp-e no longer in the pool"):
        await rounds.publish_round(world.work(), round_id=draft["_id"])

    async with world.work() as uow:
        await enrollments.enroll(
            uow,
            program_id=program_id,
            request=EnrollmentCreate(person_id="emp-e", role=MemberRole.PEER),
        )
        draft = await rounds.preview_round(uow, program_id=program_id)
    departed = PersonDeparted(person_id="emp-g", departed_on=date(2026, 3, 1))
    event = ParsedEvent(Envelope.wrap(departed, source="urn:hr", subject="emp-g"), departed)
    async with world.work(None) as uow:
        await incoming.on_person_departed(uow, [event])
    with pytest.raises(IllegalTransition, match="emp-g no longer in the pool"):
        await rounds.publish_round(world.work(), round_id=draft["_id"])
