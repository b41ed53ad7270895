"""Specification of flash mentoring in sessions, on the fake unit of work: who may offer
and book (the enrollments projection), what a booking makes and announces (one
meeting, no relationship events), how a cancel or the meeting's end closes it."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from services.sessions import erasure, flash, health, meetings, relationships
from services.sessions.domain.flash import Slot
from shared.auth import Role
from shared.contracts.hr import PersonUpserted
from shared.contracts.matching import EnrollmentCreated, EnrollmentWithdrawn, ProgramOpened
from shared.contracts.registry import ENROLLMENTS, HR_PEOPLE, PROGRAMS
from shared.errors import IllegalTransition, InvalidInput
from shared.mongo import NotFound
from shared.privacy import pseudonym
from tests.support.fakes import staged_events

from .service_world import World, types

HOST, GUEST, OTHER, OUTSIDER = "p-host", "p-guest", "p-other", "p-outsider"


async def flash_world() -> World:
    world = World()
    await world.deliver(
        PROGRAMS, ProgramOpened(program_id="flash-1", kind="flash", admin_ids=("adm-a",))
    )
    await world.deliver(
        ENROLLMENTS,
        *(
            EnrollmentCreated(
                enrollment_id=f"flash-1:{p}", program_id="flash-1", person_id=p, role="peer"
            )
            for p in (HOST, GUEST, OTHER)
        ),
    )
    await world.deliver(
        HR_PEOPLE,
        PersonUpserted(
            person_id=GUEST,
            display_name="G",
            email="g@example.com",
            level=3,
            department="d",
            time_zone="Asia/Tokyo",
        ),
    )
    return world


async def offer(world: World, *hours_ahead: int, base_id: str = "o") -> list[dict]:  # type: ignore[type-arg]
    async with world.work(HOST) as uow:
        docs, _ = await flash.offer(
            uow,
            program_id="flash-1",
            base_id=base_id,
            topic="Kubernetes",
            time_zone="Europe/Berlin",
            slots=[Slot(world.now + timedelta(hours=h), 30) for h in hours_ahead],
            note=None,
        )
    return docs


async def book(world: World, person: str, offer_id: str = "o-1") -> tuple[dict, bool]:  # type: ignore[type-arg]
    async with world.work(person) as uow:
        return await flash.book(uow, offer_id=offer_id)


async def test_a_booking_schedules_one_meeting_and_announces_no_relationship() -> None:
    world = await flash_world()
    await offer(world, 48)
    doc, created = await book(world, GUEST)
    assert created and doc["status"] == "booked" and doc["people_ids"] == [HOST, GUEST]
    [meeting] = await world.database.meetings.find({}).to_list()
    assert meeting["_id"] == meeting["relationship_id"] == "flash-o-1.1"
    assert (meeting["organiser_id"], meeting["participant_ids"]) == (HOST, [HOST, GUEST])
    assert meeting["starts_at"] == world.now + timedelta(hours=48)
    assert meeting["time_zone"] == "Europe/Berlin"
    assert types(await staged_events(world.store.meetings.collection)) == [
        "sessions.meeting.scheduled"
    ]
    [rel] = await world.database.relationships.find({}).to_list()
    assert (rel["kind"], rel["status"], rel["offer_id"]) == ("flash", "active", "o-1")
    assert [m["time_zone"] for m in rel["members"]] == ["UTC", "Asia/Tokyo"]
    assert await staged_events(world.store.relationships.collection) == []
    again, created_again = await book(world, GUEST)  # a retry finds the same booking
    assert not created_again and again["booking"] == doc["booking"]
    assert await world.database.meetings.count_documents({}) == 1


async def test_a_second_booking_own_offer_and_outsiders_are_refused() -> None:
    world = await flash_world()
    await offer(world, 48)
    with pytest.raises(InvalidInput, match="your own offer"):
        await book(world, HOST)
    with pytest.raises(NotFound):
        await book(world, OUTSIDER)
    await book(world, GUEST)
    with pytest.raises(IllegalTransition, match="only an open offer"):
        await book(world, OTHER)


async def test_a_withdrawn_enrollment_may_no_longer_offer() -> None:
    world = await flash_world()
    withdrawn = EnrollmentWithdrawn(
        enrollment_id=f"flash-1:{HOST}", program_id="flash-1", person_id=HOST
    )
    await world.deliver(ENROLLMENTS, withdrawn, at=world.now + timedelta(seconds=1))
    with pytest.raises(NotFound):
        await offer(world, 48)


async def test_only_enrollments_that_may_be_flash_are_kept() -> None:
    """A program known to be of another kind has its enrollments skipped (a 100k bulk
    into a reverse-mentoring program writes nothing here); one not known yet keeps
    them, since its kind may still turn out to be flash."""
    world = await flash_world()
    await world.deliver(
        PROGRAMS, ProgramOpened(program_id="rm-1", kind="reverse_mentoring", admin_ids=())
    )
    await world.deliver(
        ENROLLMENTS,
        *(
            EnrollmentCreated(
                enrollment_id=f"{program}:{OUTSIDER}",
                program_id=program,
                person_id=OUTSIDER,
                role="mentee",
            )
            for program in ("rm-1", "not-yet-known", "flash-1")
        ),
    )
    kept = await world.database.enrollments.find({"person_id": OUTSIDER}).to_list()
    assert sorted(doc["program_id"] for doc in kept) == ["flash-1", "not-yet-known"]


async def test_open_offers_are_listed_by_topic_and_day_in_the_viewers_zone() -> None:
    world = await flash_world()
    world.now = world.now.replace(hour=12)  # 21:00 in Tokyo
    await offer(world, 2, 5, base_id="a")  # 23:00 in Tokyo, then 02:00 the next day
    await book(world, OTHER, "a-1")
    async with world.work(GUEST) as uow:
        docs, total, zone = await flash.open_offers(
            uow, program_id="flash-1", topic="KUBERNETES", on=None, limit=10, offset=0
        )
        tokyo_next_day, _, _ = await flash.open_offers(
            uow, program_id="flash-1", topic=None, on=date(2026, 3, 3), limit=10, offset=0
        )
    assert ([d["_id"] for d in docs], total, zone) == (["a-2"], 1, "Asia/Tokyo")
    assert [d["_id"] for d in tokyo_next_day] == ["a-2"]
    read = flash.offer_read(docs[0], GUEST, zone)
    assert read["viewer_starts_at"] == "2026-03-03T02:00:00+09:00"
    assert read["local_starts_at"] == "2026-03-02T18:00:00+01:00"
    async with world.work("adm-a", Role.PROGRAM_ADMIN) as uow:
        _, seen_by_admin, _ = await flash.open_offers(
            uow, program_id="flash-1", topic=None, on=None, limit=10, offset=0
        )
    assert seen_by_admin == 1


async def test_the_guests_cancel_cancels_the_meeting_ends_the_booking_and_reopens() -> None:
    world = await flash_world()
    await offer(world, 48)
    await book(world, GUEST)
    async with world.work(GUEST) as uow:
        doc = await flash.cancel_booking(uow, offer_id="o-1", reason=None)
    assert (doc["status"], doc["booking"], doc["bookings_made"]) == ("open", None, 1)
    assert types(await staged_events(world.store.meetings.collection)) == [
        "sessions.meeting.scheduled",
        "sessions.meeting.cancelled",
    ]
    rel = await world.store.relationships.require("flash-o-1.1")
    assert (rel["status"], rel["end_reason"]) == ("ended", "meeting_cancelled")
    assert await staged_events(world.store.relationships.collection) == []
    _, rebooked = await book(world, OTHER)
    assert rebooked and await world.database.meetings.count_documents({}) == 2


async def test_a_held_meeting_ends_the_relationship_quietly_and_health_ignores_it() -> None:
    world = await flash_world()
    await offer(world, 1)
    await book(world, GUEST)
    async with world.work(GUEST) as uow:
        with pytest.raises(IllegalTransition, match="its one meeting"):
            await meetings.schedule(
                uow,
                meeting_id="m-more",
                relationship_id="flash-o-1.1",
                starts_at=world.now + timedelta(days=3),
                duration_minutes=30,
            )
        with pytest.raises(IllegalTransition, match="ends with its meeting"):
            await relationships.end_early(uow, relationship_id="flash-o-1.1", comment=None)
        with pytest.raises(IllegalTransition, match="keeps its booked slot"):
            await meetings.reschedule(
                uow,
                meeting_id="flash-o-1.1",
                starts_at=world.now + timedelta(days=3),
                duration_minutes=None,
            )
    world.now += timedelta(days=60)  # long past any cadence
    async with world.work() as uow:
        await health.sweep(uow)
    assert await staged_events(world.store.relationships.collection) == []  # no nudge
    async with world.work(HOST) as uow:
        await meetings.complete(uow, meeting_id="flash-o-1.1", attended_ids=[HOST, GUEST])
    rel = await world.store.relationships.require("flash-o-1.1")
    assert (rel["status"], rel["end_reason"], rel["closing_survey_requested"]) == (
        "ended",
        "meeting_over",
        False,
    )
    assert await staged_events(world.store.relationships.collection) == []
    offer_doc = await world.store.offers.require("o-1")
    assert offer_doc["status"] == "booked"  # its history: booked, and held


async def test_erasure_deletes_the_hosts_offers_and_pseudonymises_the_guest() -> None:
    world = await flash_world()
    await offer(world, 48, 72)
    await book(world, GUEST)
    async with world.work() as uow:
        await erasure.erase_person(uow, GUEST)
    booked = await world.store.offers.require("o-1")
    assert GUEST not in str(booked) and pseudonym(GUEST) in booked["people_ids"]
    assert not await world.store.enrolled("flash-1", GUEST)
    async with world.work() as uow:
        await erasure.erase_person(uow, HOST)
    assert await world.database.flash_offers.count_documents({}) == 0


async def test_a_repeated_offer_request_returns_the_first_offers_and_the_host_withdraws() -> None:
    world = await flash_world()
    first = await offer(world, 24, 48)
    again = await offer(world, 24, 48)  # the same Idempotency-Key: the same base id
    assert [d["_id"] for d in again] == [d["_id"] for d in first] == ["o-1", "o-2"]
    assert await world.database.flash_offers.count_documents({}) == 2
    async with world.work(GUEST) as uow:
        with pytest.raises(NotFound):
            await flash.withdraw(uow, offer_id="o-2")
    async with world.work(HOST) as uow:
        withdrawn = await flash.withdraw(uow, offer_id="o-2")
    assert withdrawn["status"] == "withdrawn"
    async with world.work(GUEST) as uow:
        docs, total, _ = await flash.open_offers(
            uow, program_id="flash-1", topic=None, on=None, limit=10, offset=0
        )
    assert ([d["_id"] for d in docs], total) == (["o-1"], 1)


async def test_of_two_bookings_that_read_the_open_offer_together_one_wins() -> None:
    world = await flash_world()
    await offer(world, 48)

    async def booking_after_a_shared_read(person: str) -> object:
        async with world.work(person) as uow:
            read = uow.store.offers.get

            async def slow_read(offer_id: str) -> object:
                doc = await read(offer_id)
                await asyncio.sleep(0.05)  # both have read version 1 before either writes
                return doc

            uow.store.offers.get = slow_read  # type: ignore[method-assign]
            return await flash.book(uow, offer_id="o-1")

    outcomes = await asyncio.gather(
        booking_after_a_shared_read(GUEST),
        booking_after_a_shared_read(OTHER),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["ConcurrencyConflict", "tuple"]
    assert await world.database.meetings.count_documents({}) == 1
    assert await world.database.relationships.count_documents({}) == 1
