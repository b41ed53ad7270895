"""Specification of the relationship service layer, on the fake unit of work: match
events start, pause and end relationships through the handler table; members end
them early; nobody else sees them."""

from __future__ import annotations

import pytest

from services.sessions import relationships
from shared.contracts.matching import MatchEnded, MatchFlagged
from shared.contracts.registry import MATCHES
from shared.mongo import NotFound
from tests.support.fakes import staged_events

from .service_world import MENTEE, STRANGER, World, activated, types


async def test_an_activated_match_starts_one_relationship_and_announces_it() -> None:
    world = World()
    rel_id = await world.start_pair()
    await world.deliver(MATCHES, activated("m-1"))  # redelivered: nothing new

    doc = await world.store.relationships.require(rel_id)
    assert doc["status"] == "active" and doc["version"] == 1
    events = await staged_events(world.store.relationships.collection)
    assert types(events) == [
        "sessions.relationship.started",
    ]
    assert events[0].subject == rel_id


async def test_a_batch_that_activates_then_flags_leaves_the_relationship_paused() -> None:
    world = World()
    await world.deliver(
        MATCHES,
        activated("m-2"),
        MatchFlagged(match_id="m-2", program_id="prog-1", reason_codes=("concern",)),
    )
    doc = await world.store.relationships.require("rel-m-2")
    assert doc["status"] == "paused"
    assert types(await staged_events(world.store.relationships.collection)) == [
        "sessions.relationship.started",
        "sessions.relationship.paused",
    ]


async def test_an_ended_match_ends_the_relationship_once() -> None:
    world = World()
    rel_id = await world.start_pair()
    ended = MatchEnded(match_id="m-1", program_id="prog-1", reason_code="completed")
    await world.deliver(MATCHES, ended)
    await world.deliver(MATCHES, ended)  # a replay changes nothing
    doc = await world.store.relationships.require(rel_id)
    assert doc["status"] == "ended" and doc["version"] == 2


async def test_a_member_ends_it_early_and_everyone_is_asked_for_a_closing_survey() -> None:
    world = World()
    rel_id = await world.start_pair()
    async with world.work(MENTEE) as uow:
        doc = await relationships.end_early(uow, relationship_id=rel_id, comment="moved team")
    assert uow.committed
    assert doc["status"] == "ended" and doc["ended_by"] == MENTEE
    staged = types(await staged_events(world.store.relationships.collection))
    assert "sessions.relationship.ended" in staged
    assert "sessions.relationship.closing_survey_requested" in staged


async def test_a_stranger_cannot_end_it_nor_learn_that_it_exists() -> None:
    world = World()
    rel_id = await world.start_pair()
    with pytest.raises(NotFound):
        async with world.work(STRANGER) as uow:
            await relationships.end_early(uow, relationship_id=rel_id, comment=None)
    assert not uow.committed
    assert (await world.store.relationships.require(rel_id))["status"] == "active"
