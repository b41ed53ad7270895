"""Specification of a meeting's attendance confirmation (an RSVP) and of the chat
actions sessions applies: confirm a meeting, log a small win, each as the person who
clicked, through the service functions of the REST routes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.sessions import journal, meetings
from shared.contracts.chat import ChatAction, ChatActionRequested, ChatChannel
from shared.contracts.registry import CHAT_ACTIONS
from shared.errors import IllegalTransition
from shared.mongo import NotFound
from tests.support.fakes import staged_events

from .service_world import MENTEE, MENTOR, STRANGER, World, types
from .test_sessions_service_meetings import _schedule


async def _confirm(world: World, person_id: str, meeting_id: str = "mt-1") -> dict:
    async with world.work(person_id) as uow:
        return await meetings.confirm(uow, meeting_id=meeting_id)


async def test_a_participant_confirms_once_and_nothing_is_announced() -> None:
    world = World()
    await _schedule(world, await world.start_pair())

    await _confirm(world, MENTEE)
    doc = await _confirm(world, MENTEE)

    assert doc["confirmed_ids"] == [MENTEE]
    assert meetings.meeting_read(doc, MENTOR)["confirmed_ids"] == [MENTEE]
    assert types(await staged_events(world.store.meetings.collection)) == [
        "sessions.meeting.scheduled"
    ]


async def test_a_new_time_asks_for_confirmation_again() -> None:
    world = World()
    await _schedule(world, await world.start_pair())
    await _confirm(world, MENTEE)

    async with world.work(MENTOR) as uow:
        later = world.now + timedelta(days=3)
        moved = await meetings.reschedule(
            uow, meeting_id="mt-1", starts_at=later, duration_minutes=None
        )

    assert moved["confirmed_ids"] == []


async def test_only_a_participant_may_confirm_and_only_a_scheduled_meeting() -> None:
    world = World()
    await _schedule(world, await world.start_pair())
    with pytest.raises(NotFound):
        await _confirm(world, STRANGER)

    async with world.work(MENTOR) as uow:
        await meetings.cancel(uow, meeting_id="mt-1", reason=None)
    with pytest.raises(IllegalTransition):
        await _confirm(world, MENTEE)


def clicked(
    person_id: str, action: ChatAction, action_id: str = "slack:t-1"
) -> ChatActionRequested:
    return ChatActionRequested(
        action_id=action_id,
        person_id=person_id,
        action=action,
        target_id="mt-1",
        channel=ChatChannel.SLACK,
    )


async def test_a_confirmation_from_chat_is_the_persons_own() -> None:
    world = World()
    await _schedule(world, await world.start_pair())

    await world.deliver(CHAT_ACTIONS, clicked(MENTEE, ChatAction.MEETING_CONFIRM))

    assert (await world.store.meetings.require("mt-1"))["confirmed_ids"] == [MENTEE]


async def test_a_small_win_from_chat_is_a_private_entry_with_a_fixed_text_written_once() -> None:
    world = World()
    rel_id = await world.start_pair()
    await _schedule(world, rel_id)

    win = clicked(MENTOR, ChatAction.JOURNAL_WIN)
    await world.deliver(CHAT_ACTIONS, win)
    await world.deliver(CHAT_ACTIONS, win)  # the same click again

    [entry] = await world.store.journal.collection.find({}).to_list()
    assert (entry["author_id"], entry["relationship_id"]) == (MENTOR, rel_id)
    assert entry["kind"] == "small_win" and not entry["shared"]
    assert entry["text"] == journal.SMALL_WIN_FROM_CHAT


async def test_a_click_on_someone_elses_meeting_changes_nothing_and_fails_nothing() -> None:
    world = World()
    await _schedule(world, await world.start_pair())

    await world.deliver(
        CHAT_ACTIONS,
        clicked(STRANGER, ChatAction.MEETING_CONFIRM),
        clicked(STRANGER, ChatAction.JOURNAL_WIN, action_id="slack:t-2"),
        clicked(MENTEE, ChatAction.MATCH_ACCEPT, action_id="slack:t-3"),  # the matcher's
    )

    assert (await world.store.meetings.require("mt-1"))["confirmed_ids"] == []
    assert await world.store.journal.collection.count_documents({}) == 0
