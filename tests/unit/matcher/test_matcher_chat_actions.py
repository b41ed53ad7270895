"""Service layer, match answers from chat: ``chat.action.requested`` applied with the
person who clicked as the caller, through the same service call as the REST route."""

from __future__ import annotations

from services.matcher import incoming
from shared.contracts.chat import ChatAction, ChatActionRequested, ChatChannel
from shared.contracts.envelope import Envelope
from shared.contracts.registry import ParsedEvent
from tests.support.fakes import staged_events

from .service_world import World
from .test_matcher_service_matches import proposed_pair


def clicked(person_id: str, action: ChatAction, target_id: str = "m-1") -> ParsedEvent:
    data = ChatActionRequested(
        action_id=f"slack:{person_id}:{action}",
        person_id=person_id,
        action=action,
        target_id=target_id,
        channel=ChatChannel.SLACK,
    )
    return ParsedEvent(Envelope.wrap(data, source="/test", subject=person_id), data)


async def from_chat(world: World, *events: ParsedEvent) -> None:
    """One batch of the chat topic through the matcher's handler, as its worker runs it."""
    async with world.work(None) as uow:
        await incoming.on_chat_action(uow, list(events))


async def test_both_members_accepting_from_chat_activates_the_match_as_the_api_would() -> None:
    world = World()
    await proposed_pair(world)
    await from_chat(
        world, clicked("emp-e", ChatAction.MATCH_ACCEPT), clicked("emp-f", ChatAction.MATCH_ACCEPT)
    )

    match = await world.store.matches.require("m-1")
    assert match["state"] == "active"
    types = [e.type for e in await staged_events(world.database.matches)]
    assert types.count("mentoring.match.accepted") == 2
    assert "mentoring.match.activated" in types


async def test_a_decline_from_chat_declines_the_match() -> None:
    world = World()
    await proposed_pair(world)
    await from_chat(world, clicked("emp-f", ChatAction.MATCH_DECLINE))

    assert (await world.store.matches.require("m-1"))["state"] == "declined"


async def test_a_click_on_someone_elses_match_changes_nothing_and_is_not_dead_lettered() -> None:
    world = World()
    before = await proposed_pair(world)
    await from_chat(
        world,
        clicked("emp-o", ChatAction.MATCH_ACCEPT),
        clicked("emp-e", ChatAction.MATCH_ACCEPT, target_id="m-missing"),
    )

    assert await world.store.matches.require("m-1") == before


async def test_an_answer_given_twice_is_refused_the_second_time_without_failing_the_batch() -> None:
    world = World()
    await proposed_pair(world)
    await from_chat(
        world, clicked("emp-e", ChatAction.MATCH_DECLINE), clicked("emp-e", ChatAction.MATCH_ACCEPT)
    )

    assert (await world.store.matches.require("m-1"))["state"] == "declined"


async def test_meeting_and_journal_actions_are_left_to_sessions() -> None:
    world = World()
    before = await proposed_pair(world)
    await from_chat(
        world,
        clicked("emp-e", ChatAction.MEETING_CONFIRM),
        clicked("emp-e", ChatAction.JOURNAL_WIN),
    )

    assert await world.store.matches.require("m-1") == before
