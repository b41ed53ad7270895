"""Specification of the pulse check on the fake unit of work: meetings held ask the junior
(the mentor of a reverse-mentoring pair) once per checkpoint; only they read and answer
it; a low answer stages a flag without the answer; HR reports never read the note."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.sessions import erasure, meetings, pulses
from services.sessions.domain.pulses import PulseAnswer, pulse_id_for
from shared.auth import Role
from shared.errors import IllegalTransition
from shared.mongo import NotFound
from shared.privacy import pseudonym
from tests.support.fakes import staged_events

from .service_world import MENTEE, MENTOR, STRANGER, World, types

NOTE = "PULSE-NOTE-CANARY"
LOW = PulseAnswer(comfort=2, psychological_safety=4, would_continue=True, note=NOTE)


async def _hold_meetings(world: World, rel_id: str, count: int) -> None:
    for _ in range(count):
        async with world.work(MENTOR) as uow:
            doc, _ = await meetings.schedule(
                uow,
                meeting_id=f"mt-{int(world.now.timestamp())}",
                relationship_id=rel_id,
                starts_at=world.now + timedelta(hours=1),
                duration_minutes=30,
                time_zone=None,
                participant_ids=None,
            )
        world.now += timedelta(hours=2)
        async with world.work(MENTEE) as uow:
            await meetings.complete(uow, meeting_id=doc["_id"], attended_ids=[MENTOR, MENTEE])


async def _answered_low(world: World) -> tuple[str, str]:
    """A pair that held its first meeting, the junior's low answer given: (relationship,
    pulse) ids."""
    rel_id = await world.start_pair()
    await _hold_meetings(world, rel_id, 1)
    pulse_id = pulse_id_for(rel_id, 1)
    async with world.work(MENTOR) as uow:
        answered = await pulses.answer(uow, pulse_id=pulse_id, answer=LOW)
    assert answered.answer == LOW
    return rel_id, pulse_id


async def _pulse_events(world: World) -> list[str]:
    return types(await staged_events(world.store.pulses.collection))


async def test_the_junior_is_asked_after_the_first_and_the_third_meeting_held() -> None:
    world = World()
    rel_id = await world.start_pair()
    await _hold_meetings(world, rel_id, 1)
    assert await _pulse_events(world) == ["sessions.pulse.requested"]
    await _hold_meetings(world, rel_id, 1)
    assert await _pulse_events(world) == ["sessions.pulse.requested"]
    await _hold_meetings(world, rel_id, 2)
    events = await staged_events(world.store.pulses.collection)
    assert [e.data["after_meeting"] for e in events] == [1, 3]
    assert {e.data["person_id"] for e in events} == {MENTOR}
    async with world.work(MENTOR) as uow:
        mine = await pulses.mine(uow)
    assert [p.after_meeting for p in mine] == [3, 1]


async def test_the_senior_member_and_strangers_see_no_pulse() -> None:
    world = World()
    rel_id = await world.start_pair()
    await _hold_meetings(world, rel_id, 1)
    pulse_id = pulse_id_for(rel_id, 1)
    for subject, roles in ((MENTEE, ()), (STRANGER, ()), ("adm-1", (Role.PROGRAM_ADMIN,))):
        async with world.work(subject, *roles) as uow:
            if not roles:
                assert await pulses.mine(uow) == []
            with pytest.raises(NotFound):
                await pulses.own_pulse(uow, pulse_id)
            with pytest.raises(NotFound):
                await pulses.answer(uow, pulse_id=pulse_id, answer=LOW)
    assert (await world.store.pulses.require(pulse_id))["status"] == "open"


async def test_a_low_answer_stages_a_flag_without_the_answer_and_a_second_answer_is_refused() -> (
    None
):
    world = World()
    rel_id, pulse_id = await _answered_low(world)
    events = await staged_events(world.store.pulses.collection)
    assert types(events) == ["sessions.pulse.requested", "sessions.pulse.flagged"]
    assert events[-1].data == {"relationship_id": rel_id, "program_id": "prog-1"}
    assert NOTE not in repr(events) and MENTOR not in repr(events[-1])
    with pytest.raises(IllegalTransition):
        async with world.work(MENTOR) as uow:
            await pulses.answer(uow, pulse_id=pulse_id, answer=LOW)


async def test_the_hr_report_never_loads_the_note() -> None:
    world = World()
    rel_id, _ = await _answered_low(world)
    async with world.work("svc", Role.SERVICE) as uow:
        loaded = await uow.store.to_count("pulses", [rel_id], hidden=["answer.note"])
        report = await pulses.report(
            uow, relationship_ids=[rel_id], first_day=world.now.date(), last_day=world.now.date()
        )
    assert loaded and NOTE not in repr(loaded)
    assert report["answers"] == {"value": None, "suppressed": True}


async def test_erasing_the_junior_removes_the_note_and_keeps_the_ratings_under_a_pseudonym() -> (
    None
):
    world = World()
    _, pulse_id = await _answered_low(world)
    async with world.work() as uow:
        await erasure.erase_person(uow, MENTOR)
    doc = await world.store.pulses.require(pulse_id)
    assert doc["person_id"] == pseudonym(MENTOR)
    assert doc["answer"]["note"] == "" and doc["answer"]["comfort"] == LOW.comfort
