"""Specification of the program projection on the fake unit of work: program events
reach it through the handler table, an older event never overwrites a newer one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.sessions import projections
from shared.auth import Role
from shared.contracts.envelope import Envelope
from shared.contracts.matching import ProgramClosed, ProgramOpened, ProgramUpdated
from shared.contracts.registry import PROGRAMS, ParsedEvent
from shared.mongo import NotFound

from .service_world import World


def _opened(cadence: int, cls: type[ProgramOpened] = ProgramOpened) -> ProgramOpened:
    return cls(
        program_id="prog-1", kind="reverse_mentoring", admin_ids=("p-admin",), cadence_days=cadence
    )


async def test_updates_and_closing_arrive_through_the_table_and_older_news_is_ignored() -> None:
    world = World()
    await world.deliver(PROGRAMS, _opened(14))
    await world.deliver(PROGRAMS, _opened(21, ProgramUpdated), at=world.now + timedelta(hours=1))
    await world.deliver(PROGRAMS, _opened(7, ProgramUpdated), at=world.now - timedelta(hours=1))
    program = await world.store.program("prog-1")
    assert program is not None and program["cadence_days"] == 21
    await world.deliver(
        PROGRAMS, ProgramClosed(program_id="prog-1"), at=world.now + timedelta(hours=2)
    )
    assert (await world.store.program("prog-1") or {})["status"] == "closed"


async def test_in_one_batch_each_program_takes_its_newest_event_whatever_the_order() -> None:
    world = World()
    later, earlier = world.now + timedelta(minutes=5), world.now
    batch = [
        ParsedEvent(envelope=Envelope.wrap(d, source="/t", subject="prog-1", time=t), data=d)
        for d, t in ((_opened(30, ProgramUpdated), later), (_opened(10), earlier))
    ]
    async with world.work() as uow:
        await projections.open_or_update(uow, batch)
    program = await world.store.program("prog-1")
    assert program is not None and program["cadence_days"] == 30


async def test_an_admin_sees_only_the_programs_they_administer() -> None:
    world = World()
    await world.deliver(PROGRAMS, _opened(14))
    async with world.work("p-admin", Role.PROGRAM_ADMIN) as uow:
        assert (await projections.visible_program(uow, program_id="prog-1"))["_id"] == "prog-1"
    with pytest.raises(NotFound):
        async with world.work("p-other-admin", Role.PROGRAM_ADMIN) as uow:
            await projections.visible_program(uow, program_id="prog-1")
