"""The cached roster stays right: an HR fact or an enrollment between two calls shows in
the second (the store's pool tokens change), and nothing else makes a call encode the
program again."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import weakref
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import pytest

from services.matcher import enrollments, incoming, programs, rounds, self_match
from services.matcher.pool_cache import (
    ROSTERS,
    collections_paused,
    keep_out_of_collections,
    program_roster,
)
from services.matcher.schemas import EnrollmentCreate, ProgramCreate
from services.matcher.settings import MatcherSettings
from services.matcher.unit_of_work import Work
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonDeparted, PersonUpserted
from shared.contracts.matching import MemberRole, ProgramKind
from shared.contracts.registry import ParsedEvent
from tests.support.fakes import principal

from .service_world import World, person, self_match_program

MENTEE = person("senior", "sales", level=7, hire_date="2010-01-01")
MENTOR = person("junior", "tech", level=2, hire_date="2024-01-01")


async def one_pair_program(world: World, program_id: str = "rm-1") -> str:
    """Reverse mentoring where ``junior`` may mentor ``senior`` (other departments)."""
    if await world.store.person("senior") is None:
        await world.people(MENTEE, MENTOR)
    async with world.work() as uow:
        await programs.open_program(
            uow,
            program_id=program_id,
            request=ProgramCreate(
                name="Reverse",
                kind=ProgramKind.REVERSE_MENTORING,
                rules={"min_overlap_hours": 0, "require_different_department": True},
            ),
        )
        for pid, role in (("senior", MemberRole.MENTEE), ("junior", MemberRole.MENTOR)):
            request = EnrollmentCreate(person_id=pid, role=role)
            await enrollments.enroll(uow, program_id=program_id, request=request)
    return program_id


def hr_event(data: Any) -> ParsedEvent:
    return ParsedEvent(Envelope.wrap(data, source="urn:hr", subject=data.person_id), data)


def upserted(doc: dict[str, Any], **changes: Any) -> ParsedEvent:
    fields = {k: v for k, v in {**doc, **changes}.items() if k not in ("_id", "time_zone")}
    return hr_event(PersonUpserted(person_id=doc["_id"], **fields))


@contextlib.asynccontextmanager
async def rebuilding(world: World) -> AsyncIterator[tuple[Work, dict[str, Any]]]:
    """A unit of work and a program whose roster the next call builds again (its pool
    changed since the last)."""
    program_id = await one_pair_program(world)
    async with world.work() as uow:
        program = await uow.store.programs.require(program_id)
        await uow.store.touch_people()
        yield uow, program


def before_each_call(store: Any, read: str, effect: Callable[[], object]) -> None:
    """The store's ``read`` has ``effect`` first (to count or watch its calls)."""
    original = getattr(store, read)

    async def watched(*args: Any) -> Any:
        effect()
        return await original(*args)

    setattr(store, read, watched)


async def proposals(world: World, program_id: str) -> int:
    async with world.work() as uow:
        draft = await rounds.preview_round(uow, program_id=program_id)
    return int(draft["proposal_count"])


@pytest.mark.parametrize(
    ("change", "handler"),
    [
        (upserted(MENTOR, department="sales"), incoming.on_person_upserted),
        (upserted(MENTOR, level=9), incoming.on_person_upserted),
        (
            hr_event(PersonDeparted(person_id="junior", departed_on=date(2026, 3, 1))),
            incoming.on_person_departed,
        ),
    ],
    ids=["same department", "mentor now senior", "mentor departed"],
)
async def test_an_hr_change_between_two_previews_changes_the_second(
    change: ParsedEvent, handler: Any
) -> None:
    world = World()
    program_id = await one_pair_program(world)
    assert await proposals(world, program_id) == 1

    async with world.work(None) as uow:
        await handler(uow, [change])

    assert await proposals(world, program_id) == 0


async def test_an_enrollment_between_two_suggestion_calls_appears_in_the_second() -> None:
    world = World()
    await self_match_program(world, "p1", "p2")
    asker = principal("p1")

    async def suggested() -> list[object]:
        async with world.work(asker) as uow:
            found = await self_match.suggestions(uow, program_id="self-1", limit=10)
        return [s["person_id"] for s in found]

    assert await suggested() == ["p2"]
    await world.people(person("p3", "d-p3"))
    async with world.work() as uow:
        request = EnrollmentCreate(person_id="p3", role=MemberRole.PEER)
        await enrollments.enroll(uow, program_id="self-1", request=request)

    assert sorted(await suggested()) == ["p2", "p3"]

    async with world.work() as uow:
        await enrollments.withdraw(uow, program_id="self-1", person_id="p2")
    assert await suggested() == ["p3"]


async def test_calls_without_a_change_share_one_encoded_roster() -> None:
    world = World()
    program_id = await one_pair_program(world)
    async with world.work() as uow:
        program = await uow.store.programs.require(program_id)
        first = await program_roster(uow, program)
    assert await proposals(world, program_id) == 1
    async with world.work() as uow:
        assert await program_roster(uow, program) is first
        await uow.store.touch_people()
        assert await program_roster(uow, program) is not first


async def test_calls_at_once_on_a_changed_pool_wait_for_one_rebuild() -> None:
    reads: list[str] = []
    async with rebuilding(World()) as (uow, program):
        before_each_call(uow.store, "active_enrollments", lambda: reads.append("read"))
        rosters = await asyncio.gather(*(program_roster(uow, program) for _ in range(3)))
    assert len(reads) == 1
    assert rosters[0] is rosters[1] is rosters[2]


async def test_only_the_most_recently_used_programs_are_kept() -> None:
    world = World()
    one_program = MatcherSettings(pool_cache_programs=1)
    for program_id in ("rm-a", "rm-b"):
        await one_pair_program(world, program_id)
        async with world.work(settings=one_program) as uow:
            await program_roster(uow, await uow.store.programs.require(program_id))
    assert len(ROSTERS) == 1


class Cycle:
    """Garbage only the cycle collector frees (it refers to itself)."""

    def __init__(self) -> None:
        self.me = self


def test_a_built_roster_is_kept_out_of_full_collections_yet_its_garbage_is_freed() -> None:
    roster_like = [Cycle() for _ in range(1000)]
    keep_out_of_collections()
    try:
        assert gc.get_freeze_count() >= len(roster_like)
        dropped = weakref.ref(roster_like[0])
        roster_like.clear()
        gc.collect()
        assert dropped() is not None  # frozen: a full collection does not walk it
        keep_out_of_collections()  # the next rebuild thaws, collects, freezes again
        assert dropped() is None
    finally:
        gc.unfreeze()


async def test_a_roster_is_read_and_encoded_without_automatic_collections() -> None:
    collecting_while_read: list[bool] = []
    async with rebuilding(World()) as (uow, program):
        record = lambda: collecting_while_read.append(gc.isenabled())  # noqa: E731
        before_each_call(uow.store, "people_and_managers", record)
        await program_roster(uow, program)
    try:
        assert collecting_while_read == [False]
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_overlapping_builds_resume_collections_after_the_last_and_leave_a_pause_alone() -> None:
    with collections_paused():
        with collections_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()

    gc.disable()  # paused by someone else
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
