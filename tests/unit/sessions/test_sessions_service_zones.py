"""Specification of the members' time zones on the fake unit of work: sessions keeps a
zone per person from ``hr.people.v1`` (nothing else), follows HR's changes by event
time, and uses it wherever a request names no zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from services.sessions import action_items, erasure, journal, meetings, slots
from services.sessions.domain.slots import WorkingHours
from services.sessions.store import PEOPLE_ZONES
from shared.contracts.hr import PersonUpserted
from shared.contracts.registry import HR_PEOPLE

from .service_world import MENTEE, MENTOR, World

TOKYO, NEW_YORK = "Asia/Tokyo", "America/New_York"


def upserted(person_id: str, time_zone: str) -> PersonUpserted:
    return PersonUpserted(
        person_id=person_id,
        display_name="Never Kept",
        email=f"{person_id}@example.com",
        level=3,
        time_zone=time_zone,
    )


async def _pair_in_tokyo_and_new_york(world: World) -> str:
    rel_id = await world.start_pair()
    await world.deliver(HR_PEOPLE, upserted(MENTOR, TOKYO), upserted(MENTEE, NEW_YORK))
    return rel_id


async def test_only_the_zone_is_kept_and_the_newest_upsert_wins() -> None:
    world = World()
    await world.deliver(HR_PEOPLE, upserted(MENTOR, TOKYO))
    await world.deliver(HR_PEOPLE, upserted(MENTOR, NEW_YORK), at=world.now - timedelta(hours=1))
    rows = await world.store.by_id(PEOPLE_ZONES, [MENTOR])
    assert rows[MENTOR]["time_zone"] == TOKYO  # the older news changed nothing
    assert set(rows[MENTOR]) == {"_id", "time_zone", "as_of"}
    await world.deliver(HR_PEOPLE, upserted(MENTOR, "Europe/Berlin"), at=world.now + timedelta(1))
    assert (await world.store.by_id(PEOPLE_ZONES, [MENTOR]))[MENTOR]["time_zone"] == "Europe/Berlin"


async def _slots(world: World, rel_id: str, hours: list[WorkingHours] | None) -> list[datetime]:
    async with world.work(MENTOR) as uow:
        found = await slots.suggest(
            uow,
            relationship_id=rel_id,
            first_day=date(2026, 3, 3),
            last_day=date(2026, 3, 4),
            duration_minutes=30,
            count=3,
            working_hours=hours,
        )
    return [s["starts_at"] for s in found]


async def test_slots_fall_inside_both_working_days_each_in_its_own_zone() -> None:
    world = World()
    rel_id = await _pair_in_tokyo_and_new_york(world)
    # 08:00-18:00 in Tokyo and 08:00-19:00 in New York (zones from HR, not the request)
    hours = [
        WorkingHours(MENTOR, None, time(8), time(18)),
        WorkingHours(MENTEE, None, time(8), time(19)),
    ]
    starts = await _slots(world, rel_id, hours)
    # Tuesday 18:00 and 18:30 in New York are Wednesday 08:00 and 08:30 in Tokyo
    assert starts == [
        datetime(2026, 3, 3, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 3, 23, 30, tzinfo=UTC),
    ]
    # the default 09:00-17:00 in each zone never overlaps between Tokyo and New York
    assert await _slots(world, rel_id, None) == []


async def test_a_zone_named_in_the_request_wins() -> None:
    world = World()
    rel_id = await _pair_in_tokyo_and_new_york(world)
    hours = [
        WorkingHours(MENTOR, None, time(8), time(18)),
        WorkingHours(MENTEE, TOKYO, time(8), time(19)),  # the mentee travels to Tokyo
    ]
    assert (await _slots(world, rel_id, hours))[0] == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)


async def test_due_dates_meetings_and_journal_weeks_use_the_members_zone() -> None:
    world = World()
    rel_id = await _pair_in_tokyo_and_new_york(world)
    async with world.work(MENTEE) as uow:
        item = await action_items.add(
            uow,
            item_id="a-1",
            relationship_id=rel_id,
            owner_id=MENTOR,
            description="read the book",
            due_on=date(2026, 3, 5),
            meeting_id=None,
            goal_id=None,
        )
        meeting, _ = await meetings.schedule(
            uow,
            meeting_id="meet-1",
            relationship_id=rel_id,
            starts_at=world.now + timedelta(days=2),
            duration_minutes=30,
            time_zone=None,
            participant_ids=None,
        )
        stats = await journal.stats(uow, time_zone=None)
        named = await journal.stats(uow, time_zone="Europe/Paris")
    assert item["time_zone"] == TOKYO  # the owner's zone: due at midnight in Tokyo
    assert item["due_at"] == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
    assert meeting["time_zone"] == NEW_YORK  # the organiser's
    assert stats["time_zone"] == NEW_YORK and named["time_zone"] == "Europe/Paris"


async def test_the_relationship_shows_each_members_zone() -> None:
    world = World()
    rel_id = await _pair_in_tokyo_and_new_york(world)
    doc = await world.store.relationship(rel_id)
    assert doc is not None
    assert {m["person_id"]: m["time_zone"] for m in doc["members"]} == {
        MENTOR: TOKYO,
        MENTEE: NEW_YORK,
    }


async def test_erasure_deletes_the_zone() -> None:
    world = World()
    await world.deliver(HR_PEOPLE, upserted(MENTOR, TOKYO))
    async with world.work() as uow:
        await erasure.erase_person(uow, MENTOR)
    assert await world.store.by_id(PEOPLE_ZONES, [MENTOR]) == {}
