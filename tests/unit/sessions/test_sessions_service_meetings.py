"""Specification of meetings, their content, feedback and series on the fake unit of
work: what each change stages, what a retried request returns, who is refused."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from services.sessions import feedback, meeting_content, meetings, series
from shared.auth import Role
from shared.errors import IllegalTransition
from shared.mongo import NotFound
from tests.support.fakes import staged_events

from .service_world import MENTEE, MENTOR, STRANGER, World, types


async def _schedule(world: World, rel_id: str, meeting_id: str = "mt-1") -> tuple[dict, bool]:
    async with world.work(MENTOR) as uow:
        return await meetings.schedule(
            uow,
            meeting_id=meeting_id,
            relationship_id=rel_id,
            starts_at=world.now + timedelta(days=2),
            duration_minutes=45,
            time_zone=None,
            participant_ids=None,
        )


async def test_scheduling_announces_the_meeting_and_a_retry_returns_the_first() -> None:
    world = World()
    rel_id = await world.start_pair()
    doc, created = await _schedule(world, rel_id)
    again, created_again = await _schedule(world, rel_id)
    assert created and not created_again and again["_id"] == doc["_id"]
    events = await staged_events(world.store.meetings.collection)
    assert types(events) == ["sessions.meeting.scheduled"]
    assert events[0].subject == rel_id
    assert [r["person_id"] for r in await world.store.agenda_of(MENTEE)] == [MENTEE]


async def test_a_cancelled_meeting_is_announced_and_cannot_be_completed() -> None:
    world = World()
    rel_id = await world.start_pair()
    await _schedule(world, rel_id)
    async with world.work(MENTEE) as uow:
        doc = await meetings.cancel(uow, meeting_id="mt-1", reason="ill")
    assert doc["status"] == "cancelled"
    assert types(await staged_events(world.store.meetings.collection)) == [
        "sessions.meeting.scheduled",
        "sessions.meeting.cancelled",
    ]
    with pytest.raises(IllegalTransition):
        async with world.work(MENTEE) as uow:
            await meetings.complete(uow, meeting_id="mt-1", attended_ids=[MENTEE])
    assert not uow.committed


async def test_notes_are_saved_without_an_event_and_private_ones_stay_private() -> None:
    world = World()
    rel_id = await world.start_pair()
    await _schedule(world, rel_id)
    async with world.work(MENTEE) as uow:
        await meeting_content.add_note(uow, meeting_id="mt-1", text="my doubts", private=True)
        await meeting_content.add_item(uow, meeting_id="mt-1", text="career plan")
    assert len(await staged_events(world.store.meetings.collection)) == 1  # scheduled only
    async with world.work(MENTOR) as uow:
        seen = await meetings.visible(uow, meeting_id="mt-1")
    assert seen["my_private_notes"] == [] and [a["text"] for a in seen["agenda"]] == ["career plan"]


async def test_strangers_do_not_learn_a_meeting_exists_and_admins_get_no_content() -> None:
    world = World()
    rel_id = await world.start_pair()
    await _schedule(world, rel_id)
    with pytest.raises(NotFound):
        async with world.work(STRANGER) as uow:
            await meetings.visible(uow, meeting_id="mt-1")
    with pytest.raises(NotFound):
        async with world.work(STRANGER) as uow:
            await meeting_content.add_note(uow, meeting_id="mt-1", text="hi", private=False)
    with pytest.raises(NotFound):  # an admin of no program of theirs
        async with world.work("p-admin", Role.PROGRAM_ADMIN) as uow:
            await meetings.visible(uow, meeting_id="mt-1")


async def test_feedback_after_a_completed_meeting_is_announced_without_its_text() -> None:
    world = World()
    rel_id = await world.start_pair()
    await _schedule(world, rel_id)
    world.now += timedelta(days=2, hours=1)
    async with world.work(MENTOR) as uow:
        await meetings.complete(uow, meeting_id="mt-1", attended_ids=[MENTOR, MENTEE])
    async with world.work(MENTEE) as uow:
        await feedback.give(uow, meeting_id="mt-1", rating=5, was_useful=True, comment="great")
    events = await staged_events(world.store.feedback.collection)
    assert types(events) == ["sessions.feedback.submitted"]
    assert "great" not in events[0].model_dump_json()
    async with world.work(MENTOR) as uow:  # hidden until every attendee submitted
        assert await feedback.visible(uow, meeting_id="mt-1") == []


async def test_a_series_schedules_its_occurrences_and_cancelling_cancels_them() -> None:
    world = World()
    rel_id = await world.start_pair()
    async with world.work(MENTOR) as uow:
        doc, ids, created = await series.create(
            uow,
            series_id="s-1",
            relationship_id=rel_id,
            first_date=date(2026, 3, 9),
            local_time=time(10, 0),
            duration_minutes=30,
            interval_weeks=2,
            until=date(2026, 4, 20),
            time_zone=None,
        )
    assert created and len(ids) == 4
    async with world.work(MENTEE) as uow:
        cancelled = await series.cancel(uow, series_id="s-1", reason=None)
    assert cancelled["status"] == "cancelled"
    statuses = {d["status"] for d in await world.store.meetings_of_series("s-1")}
    assert statuses == {"cancelled"}
    assert types(await staged_events(world.store.series.collection)) == [
        "sessions.series.scheduled",
        "sessions.series.cancelled",
    ]
