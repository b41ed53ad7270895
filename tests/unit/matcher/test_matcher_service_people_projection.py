"""The people projection as the worker keeps it from ``hr.people.v1``: a batch of facts is
applied as they were published, whatever their number; and the list of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.matcher import incoming, people
from shared.api import PageParams
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import ParsedEvent

from .service_world import World


def hr_event(data: Any, at: datetime | None = None) -> ParsedEvent:
    envelope = Envelope.wrap(data, source="urn:hr", subject=data.person_id, time=at)
    return ParsedEvent(envelope, data)


def upserted(person_id: str, at: datetime | None = None, **fields: Any) -> ParsedEvent:
    facts = {"display_name": person_id, "email": f"{person_id}@example.com", "level": 3}
    return hr_event(PersonUpserted(person_id=person_id, **{**facts, **fields}), at)


MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TUESDAY = MONDAY + timedelta(days=1)


async def departments(world: World) -> dict[str, str]:
    return {d["_id"]: d["department"] async for d in world.store.people.find({})}


async def test_of_several_facts_of_one_person_in_a_batch_the_last_stands() -> None:
    world = World()
    batch = [
        upserted("p-1", department="Sales"),
        upserted("p-2", department="Legal"),
        upserted("p-1", department="Finance"),
    ]
    async with world.work() as uow:
        await incoming.on_person_upserted(uow, batch)
    assert await departments(world) == {"p-1": "Finance", "p-2": "Legal"}


async def test_an_upsert_replaces_the_whole_document() -> None:
    world = World()
    async with world.work() as uow:
        await incoming.on_person_upserted(uow, [upserted("p-1", title="Lead", location="Oslo")])
    async with world.work() as uow:
        await incoming.on_person_upserted(uow, [upserted("p-1")])
    doc = await world.store.person("p-1")
    assert doc is not None
    assert (doc["title"], doc["location"]) == ("", "")


async def test_a_batch_is_applied_whole_and_renews_the_people_token() -> None:
    world = World()
    before = await world.store.pool_etag("any")
    async with world.work() as uow:
        await incoming.on_person_upserted(uow, [upserted(f"p-{n:03d}") for n in range(200)])
    assert await world.store.people.count_documents({}) == 200
    assert await world.store.pool_etag("any") != before


async def test_a_departure_and_an_erasure_after_upserts_in_one_batch_apply_in_order() -> None:
    world = World()
    async with world.work() as uow:
        await incoming.on_person_upserted(uow, [upserted("p-1"), upserted("p-2")])
        departed = PersonDeparted(person_id="p-1", departed_on=date(2026, 3, 1))
        await incoming.on_person_departed(uow, [hr_event(departed)])
        await incoming.on_person_erased(uow, [hr_event(PersonErased(person_id="p-2"))])
    p1 = await world.store.person("p-1")
    assert p1 is not None and p1["departed_on"] == "2026-03-01"
    assert await world.store.person("p-2") is None


async def test_a_late_copy_of_older_facts_leaves_the_newer_ones() -> None:
    """Newest wins, by the time the event happened: what a replay or a producer's retry
    delivers after newer facts changes nothing (so the worker need not remember it)."""
    world = World()
    monday_sales = upserted("p-1", MONDAY, department="Sales")
    async with world.work() as uow:
        await incoming.on_person_upserted(uow, [monday_sales])
        await incoming.on_person_upserted(uow, [upserted("p-1", TUESDAY, department="Legal")])
        await incoming.on_person_upserted(uow, [monday_sales])
    assert await departments(world) == {"p-1": "Legal"}


async def test_in_one_batch_the_newest_fact_stands_whatever_its_place() -> None:
    world = World()
    batch = [
        upserted("p-1", TUESDAY, department="Legal"),
        upserted("p-1", MONDAY, department="Sales"),
    ]
    async with world.work() as uow:
        await incoming.on_person_upserted(uow, batch)
    assert await departments(world) == {"p-1": "Legal"}


async def test_a_departure_older_than_the_facts_held_is_not_applied_and_a_newer_one_is() -> None:
    world = World()
    async with world.work() as uow:
        await incoming.on_person_upserted(uow, [upserted("p-1", TUESDAY)])
        gone = PersonDeparted(person_id="p-1", departed_on=date(2026, 11, 30))
        await incoming.on_person_departed(uow, [hr_event(gone, MONDAY)])
        kept = await world.store.person("p-1")
        await incoming.on_person_departed(uow, [hr_event(gone, TUESDAY + timedelta(hours=1))])
        departed = await world.store.person("p-1")
    assert kept is not None and "departed_on" not in kept
    assert departed is not None and departed["departed_on"] == "2026-11-30"


async def test_the_people_list_pages_everyone_in_id_order_with_their_total() -> None:
    world = World()
    async with world.work() as uow:
        await incoming.on_person_upserted(
            uow, [upserted(f"p-{n}", department="Sales") for n in (4, 1, 3, 0, 2)]
        )
        everyone, total = await people.list_people(
            uow, department=None, page=PageParams(limit=2, offset=2)
        )
        sales, in_sales = await people.list_people(
            uow, department="Sales", page=PageParams(limit=9, offset=0)
        )
        legal, in_legal = await people.list_people(
            uow, department="Legal", page=PageParams(limit=9, offset=0)
        )
    assert ([d["_id"] for d in everyone], total) == (["p-2", "p-3"], 5)
    assert (len(sales), in_sales, legal, in_legal) == (5, 5, [], 0)
