"""Specification of the relationship service layer, on the fake unit of work: match
events start, pause and end relationships through the handler table; members end
them early; nobody else sees them."""

from __future__ import annotations

import pytest

from services.sessions import relationships
from shared.contracts.matching import MatchEnded, MatchFlagged, MatchResumed
from shared.contracts.registry import MATCHES
from shared.mongo import NotFound
from tests.support.fakes import staged_events

from .service_world import MENTEE, MENTOR, STRANGER, World, activated, types


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


async def test_a_program_completed_ends_it_completed_and_asks_every_member_for_a_survey() -> None:
    world = World()
    rel_id = await world.start_pair()
    ended = MatchEnded(match_id="m-1", program_id="prog-1", reason_code="program_completed")
    await world.deliver(MATCHES, ended)
    doc = await world.store.relationships.require(rel_id)
    assert doc["status"] == "ended" and doc["end_reason"] == "completed"
    assert doc["closing_survey_requested"] and doc["match_end_reason"] == "program_completed"
    events = await staged_events(world.store.relationships.collection)
    end = next(e for e in events if e.type == "sessions.relationship.ended")
    assert end.data["reason_code"] == "completed" and end.data.get("ended_by") is None
    survey = next(e for e in events if e.type.endswith("closing_survey_requested"))
    assert set(survey.data["member_ids"]) == {MENTOR, MENTEE}


async def test_any_other_match_end_is_match_ended_without_a_survey() -> None:
    world = World()
    rel_id = await world.start_pair()
    await world.deliver(
        MATCHES, MatchEnded(match_id="m-1", program_id="prog-1", reason_code="ended_by_admin")
    )
    doc = await world.store.relationships.require(rel_id)
    assert doc["end_reason"] == "match_ended" and not doc["closing_survey_requested"]
    assert doc["match_end_reason"] == "ended_by_admin"
    assert "sessions.relationship.closing_survey_requested" not in types(
        await staged_events(world.store.relationships.collection)
    )


async def test_a_relationship_ended_early_ignores_the_matchers_echo() -> None:
    """The loop guard: sessions -> matcher once, and the matcher's end stops here."""
    world = World()
    rel_id = await world.start_pair()
    async with world.work(MENTEE) as uow:
        await relationships.end_early(uow, relationship_id=rel_id, comment=None)
    echo = MatchEnded(match_id="m-1", program_id="prog-1", reason_code="ended_by_member")
    await world.deliver(MATCHES, echo)
    doc = await world.store.relationships.require(rel_id)
    assert doc["end_reason"] == "ended_early" and doc["ended_by"] == MENTEE
    assert doc["version"] == 2  # inserted, ended early; the echo wrote nothing
    ends = [
        e
        for e in await staged_events(world.store.relationships.collection)
        if e.type == "sessions.relationship.ended"
    ]
    assert [e.data["reason_code"] for e in ends] == ["ended_early"]
    assert ends[0].data["ended_by"] == MENTEE


async def test_a_kept_flag_resumes_the_paused_relationship_once() -> None:
    world = World()
    rel_id = await world.start_pair()
    flagged = MatchFlagged(match_id="m-1", program_id="prog-1", reason_codes=("new_manager",))
    resumed = MatchResumed(match_id="m-1", program_id="prog-1")
    await world.deliver(MATCHES, flagged)
    await world.deliver(MATCHES, resumed)
    await world.deliver(MATCHES, resumed)  # a replay: already active
    doc = await world.store.relationships.require(rel_id)
    assert doc["status"] == "active" and doc["paused_reason"] is None
    assert types(await staged_events(world.store.relationships.collection)) == [
        "sessions.relationship.started",
        "sessions.relationship.paused",
        "sessions.relationship.resumed",
    ]


async def test_a_resume_for_an_ended_relationship_changes_nothing() -> None:
    world = World()
    rel_id = await world.start_pair()
    await world.deliver(
        MATCHES, MatchEnded(match_id="m-1", program_id="prog-1", reason_code="expired")
    )
    await world.deliver(MATCHES, MatchResumed(match_id="m-1", program_id="prog-1"))
    assert (await world.store.relationships.require(rel_id))["status"] == "ended"


async def test_relationships_list_by_health_and_one_without_a_health_record_is_healthy() -> None:
    world = World()
    risky, fine, older = [await world.start_pair(m) for m in ("m-1", "m-2", "m-3")]
    collection = world.store.relationships.collection
    await collection.update_one({"_id": risky}, {"$set": {"health.state": "at_risk"}})
    await collection.update_one({"_id": older}, {"$unset": {"health": ""}})

    async def listed(*health: str) -> set[str]:
        docs, total = await relationships.page(
            world.work(MENTOR), program_id=None, status=None, health=health, limit=10, offset=0
        )
        assert total == len(docs)
        return {d["_id"] for d in docs}

    assert await listed("at_risk") == {risky}
    assert await listed("healthy") == {fine, older}
    assert await listed("stalled") == set()
    assert await listed("at_risk", "stalled") == {risky}
    assert await listed("healthy", "stalled") == {fine, older}
