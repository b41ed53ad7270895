"""A suggestion's reads (its program, the pool tokens, the live matches, the asker's
matches and blocks) go to the database at once: while the database is busy (an
enrollment's trailing events at 100k) each read waits its turn in its queue, so reads
made one after another added their waits up (the slow tail of issue #19)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from services.matcher import self_match
from shared.mongo import NotFound
from tests.support.fakes import principal

from .service_world import World, self_match_program

#: Every read a suggestion makes besides its program's.
POOL_READS = ("read_pool_etag", "live_matches", "matches_of_member", "blocked_pairs_of")


class QueuedDatabase:
    """Each read waits a moment before it is answered (a busy database's queue); counts
    how many were waiting at once."""

    def __init__(self) -> None:
        self.waiting = 0
        self.most_at_once = 0

    def queued(self, read: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def waits_its_turn(*args: Any, **kwargs: Any) -> Any:
            self.waiting += 1
            self.most_at_once = max(self.most_at_once, self.waiting)
            try:
                await asyncio.sleep(0.01)
                return await read(*args, **kwargs)
            finally:
                self.waiting -= 1

        return waits_its_turn


async def test_a_suggestion_waits_for_all_its_reads_together_not_one_after_another() -> None:
    world = World()
    await self_match_program(world, "p1", "p2")
    async with world.work(principal("p1")) as uow:  # the pool's tokens made, its roster kept
        await self_match.suggestions(uow, program_id="self-1", limit=10)
    database = QueuedDatabase()
    async with world.work(principal("p1")) as uow:
        for name in POOL_READS:
            setattr(uow.store, name, database.queued(getattr(uow.store, name)))
        uow.store.programs.get = database.queued(uow.store.programs.get)  # type: ignore[method-assign]
        found = await self_match.suggestions(uow, program_id="self-1", limit=10)

    assert [s["person_id"] for s in found] == ["p2"]
    assert database.most_at_once == 1 + len(POOL_READS)


async def test_reads_sent_beside_a_program_that_does_not_exist_write_no_pool_token() -> None:
    world = World()
    await self_match_program(world, "p1", "p2")
    async with world.work(principal("p1")) as uow:
        with pytest.raises(NotFound):
            await self_match.suggestions(uow, program_id="no-such-program", limit=10)
    await asyncio.sleep(0.05)  # the reads sent beside the program's have finished

    assert await world.store.read_pool_etag("no-such-program") is None
