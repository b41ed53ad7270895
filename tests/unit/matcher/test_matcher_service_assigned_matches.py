"""Programs whose matches start on publish (``matches_start: on_publish``), on the fake
unit of work: what a publish saves and announces, and when the setting may change."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.matcher import matches, programs, rounds
from services.matcher.lifecycle_schemas import ProgramUpdate
from services.matcher.schemas import ProgramCreate
from shared.contracts.matching import MatchActivated, ProgramKind
from shared.errors import IllegalTransition
from tests.support.fakes import principal, staged_events

from .service_world import NOW, World
from .test_matcher_service_rounds import peer_program


async def _published(world: World) -> str:
    async with world.work() as uow:
        draft = await rounds.preview_round(uow, program_id="prog-1")
    async with world.work() as uow:
        await rounds.publish_round(uow, round_id=draft["_id"])
    return str(draft["_id"])


async def test_publishing_an_on_publish_round_starts_every_match_without_asking_anyone() -> None:
    world = World()
    await peer_program(world, matches_start="on_publish")
    round_id = await _published(world)

    saved = await world.database.matches.find({}).to_list()
    assert len(saved) == 2
    for match in saved:
        assert match["state"] == "active" and match["round_id"] == round_id
        assert match["responses"] == {p: "assigned" for p in match["member_ids"]}
        assert match["expires_at"] is None  # nothing to answer, nothing expires
    events = await staged_events(world.database.matches)
    assert sorted(e.id for e in events) == sorted(f"{m['_id']}:assigned" for m in saved)
    assert {e.type for e in events} == {MatchActivated.event_type}
    for event in events:
        activated = MatchActivated.model_validate(event.data)
        assert activated.assigned and activated.program_id == "prog-1"
        assert activated.starts_on == NOW.date()


async def test_the_default_program_still_proposes_and_waits_for_answers() -> None:
    world = World()
    await peer_program(world)
    await _published(world)

    saved = await world.database.matches.find({}).to_list()
    assert {m["state"] for m in saved} == {"proposed"}
    events = await staged_events(world.database.matches)
    assert {e.type for e in events} == {"mentoring.match.proposed"}
    assert not any(e.data.get("assigned") for e in events)


async def test_an_assigned_match_cannot_be_answered_by_its_members() -> None:
    world = World()
    await peer_program(world, matches_start="on_publish")
    await _published(world)
    [first, *_] = await world.database.matches.find({}).to_list()
    member = principal(first["member_ids"][0])
    with pytest.raises(IllegalTransition):
        await matches.answer_match(world.work(member), match_id=first["_id"], accept=False)


def test_a_flash_program_has_no_rounds_to_start_matches_on_publish() -> None:
    with pytest.raises(ValidationError, match="a flash program has none"):
        ProgramCreate(name="X", kind=ProgramKind.FLASH, matches_start="on_publish")


async def test_when_matches_start_may_change_until_the_first_round_is_published() -> None:
    world = World()
    await peer_program(world)
    on_publish = ProgramUpdate(matches_start="on_publish")
    async with world.work() as uow:
        changed = await programs.update_program(uow, program_id="prog-1", request=on_publish)
    assert changed["matches_start"] == "on_publish"

    await _published(world)
    back = ProgramUpdate(matches_start="when_accepted")
    with pytest.raises(IllegalTransition, match="matches_start is fixed"):
        async with world.work() as uow:
            await programs.update_program(uow, program_id="prog-1", request=back)
    async with world.work() as uow:  # other changes still apply from the next round
        renamed = await programs.update_program(
            uow, program_id="prog-1", request=ProgramUpdate(name="Peers 2")
        )
    assert (renamed["name"], renamed["matches_start"]) == ("Peers 2", "on_publish")
