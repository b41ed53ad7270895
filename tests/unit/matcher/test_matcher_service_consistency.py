"""Service layer, what the matcher learns from elsewhere, on the fake unit of work: a
relationship a member ended early in sessions ends its match (once), and a withdrawn
enrollment takes the person's matches with it."""

from __future__ import annotations

import pytest

from services.matcher import enrollments, incoming
from services.matcher.pool import program_pool_input
from services.matcher.schemas import EnrollmentCreate
from shared.contracts.envelope import Envelope
from shared.contracts.identifiers import relationship_id_for
from shared.contracts.registry import ParsedEvent
from shared.contracts.sessions import RelationshipEnded
from shared.mongo import ConcurrencyConflict
from tests.support.fakes import staged_events

from .service_world import World
from .test_matcher_service_match_admin import active_pair
from .test_matcher_service_matches import proposed_pair


def relationship_ended(match_id: str, reason_code: str) -> ParsedEvent:
    ended = RelationshipEnded(
        relationship_id=relationship_id_for(match_id),
        program_id="prog-1",
        member_ids=("emp-e", "emp-f"),
        reason_code=reason_code,
        ended_by="emp-e" if reason_code == "ended_early" else None,
    )
    return ParsedEvent(Envelope.wrap(ended, source="urn:sessions", subject="rel-m-1"), ended)


async def types_of(world: World) -> list[str]:
    return [e.type for e in await staged_events(world.database.matches)]


async def test_a_relationship_ended_early_ends_its_match_once_and_frees_both() -> None:
    world = World()
    await active_pair(world)
    async with world.work(None) as uow:
        await incoming.on_relationship_ended(uow, [relationship_ended("m-1", "ended_early")])
    doc = await world.store.matches.require("m-1")
    assert (doc["state"], doc["note"]) == ("ended", "ended_by_member")
    [ended] = [e for e in await staged_events(world.database.matches) if "ended" in e.type]
    assert ended.data["reason_code"] == "ended_by_member"
    async with world.work(None) as uow:  # the same event again, or sessions' echo
        await incoming.on_relationship_ended(uow, [relationship_ended("m-1", "ended_early")])
        pool = await program_pool_input(uow, await uow.store.programs.require("prog-1"))
    assert (await types_of(world)).count("mentoring.match.ended") == 1
    assert {"emp-e", "emp-f"} <= set(pool.table.row_index)


async def test_relationship_endings_the_matcher_caused_are_not_applied_back() -> None:
    world = World()
    await active_pair(world)
    async with world.work(None) as uow:
        await incoming.on_relationship_ended(
            uow,
            [relationship_ended("m-1", "completed"), relationship_ended("m-1", "match_ended")],
        )
    assert (await world.store.matches.require("m-1"))["state"] == "active"


async def test_withdrawing_declines_the_persons_proposals() -> None:
    world = World()
    await proposed_pair(world)
    async with world.work() as uow:
        await enrollments.withdraw(uow, program_id="prog-1", person_id="emp-f")
    doc = await world.store.matches.require("m-1")
    assert (doc["state"], doc["note"]) == ("declined", "enrollment_withdrawn")
    declined = (await staged_events(world.database.matches))[-1]
    assert declined.type == "mentoring.match.declined"
    assert (declined.data["person_id"], declined.data["reason_code"]) == (
        "emp-f",
        "enrollment_withdrawn",
    )
    withdrawn = await world.store.enrollments.require("prog-1:emp-f")
    assert withdrawn["status"] == "withdrawn"


async def test_enrolling_again_before_the_withdrawal_is_relayed_announces_both() -> None:
    """The re-enrollment replaces the withdrawn document; its withdrawal, not relayed
    yet, stays queued ahead of the new created event instead of being lost with it."""
    world = World()
    await proposed_pair(world)
    async with world.work() as uow:
        await enrollments.withdraw(uow, program_id="prog-1", person_id="emp-f")
    async with world.work() as uow:
        request = EnrollmentCreate(person_id="emp-f", role="peer")
        _, created = await enrollments.enroll(uow, program_id="prog-1", request=request)
    assert created
    doc = await world.store.enrollments.require("prog-1:emp-f")
    queued = await staged_events(world.database.enrollments)
    assert doc["status"] == "active"
    assert [e.type for e in queued if e.subject == "prog-1:emp-f"][-2:] == [
        "mentoring.enrollment.withdrawn",
        "mentoring.enrollment.created",
    ]


async def test_withdrawing_ends_the_persons_running_matches() -> None:
    world = World()
    await active_pair(world)
    async with world.work() as uow:
        await enrollments.withdraw(uow, program_id="prog-1", person_id="emp-e")
    doc = await world.store.matches.require("m-1")
    assert (doc["state"], doc["note"]) == ("ended", "enrollment_withdrawn")
    ended = (await staged_events(world.database.matches))[-1]
    assert (ended.type, ended.data["reason_code"]) == (
        "mentoring.match.ended",
        "enrollment_withdrawn",
    )


async def test_an_early_end_that_races_another_change_is_applied_after_a_reload(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    await active_pair(world)
    async with world.work(None) as uow:
        replace = uow.store.matches.replace
        calls: list[str] = []

        async def conflicting_once(doc: dict) -> dict:
            calls.append(doc["_id"])
            if len(calls) == 1:
                raise ConcurrencyConflict("m-1 changed meanwhile")
            return await replace(doc)

        monkeypatch.setattr(uow.store.matches, "replace", conflicting_once)
        await incoming.on_relationship_ended(uow, [relationship_ended("m-1", "ended_early")])
    assert calls == ["m-1", "m-1"]
    assert (await world.store.matches.require("m-1"))["state"] == "ended"
