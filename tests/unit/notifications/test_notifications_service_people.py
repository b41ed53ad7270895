"""The notifier's request-side service layer on the fake unit of work: preferences, the
inbox and the contact directory, as a person or a machine sees them. No broker, no
database server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.notifications import inbox, preferences
from services.notifications.erasure import is_erased
from services.notifications.projections import apply_contact_events
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore, to_ms
from services.notifications.unit_of_work import Work
from shared.auth import Principal, Role
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import ParsedEvent
from shared.errors import InvalidInput
from shared.mongo import NotFound
from tests.support.fakes import fake_unit_of_work, memory_database, principal

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def work(db: Any, caller: Principal | None = None, *, now: datetime = NOW) -> Work:
    return fake_unit_of_work(
        NotificationsStore, NotificationsSettings(), now=now, caller=caller, database=db
    )


def event(data: EventData, *, at: datetime = NOW) -> ParsedEvent:
    envelope = Envelope.wrap(
        data, source="/test", subject="subject", event_id=str(uuid.uuid4()), time=at
    )
    return ParsedEvent(envelope=envelope, data=data)


def upserted(
    person_id: str, time_zone: str = "Europe/Berlin", *, at: datetime = NOW
) -> ParsedEvent:
    return event(
        PersonUpserted(
            person_id=person_id,
            display_name=person_id.title(),
            email=f"{person_id}@example.org",
            level=3,
            time_zone=time_zone,
        ),
        at=at,
    )


async def test_a_late_copy_of_an_older_fact_leaves_the_newer_contact() -> None:
    """Newest wins, by the event's time: a replay or a retried copy delivered after newer
    facts changes nothing (so the worker need not remember which events it applied)."""
    db = memory_database()
    later = NOW + timedelta(hours=1)
    older = upserted("ana", "Asia/Tokyo")
    await apply_contact_events(work(db), [older, upserted("ana", "Europe/Oslo", at=later)])
    await apply_contact_events(work(db), [older])
    await apply_contact_events(
        work(db), [event(PersonDeparted(person_id="ana", departed_on=NOW.date()))]
    )

    contact = await db["contacts"].find_one({"_id": "ana"})
    assert (contact["time_zone"], contact["active"]) == ("Europe/Oslo", True)


async def test_a_departure_newer_than_the_contact_stops_it() -> None:
    db = memory_database()
    await apply_contact_events(work(db), [upserted("ana")])
    gone = PersonDeparted(person_id="ana", departed_on=NOW.date())
    await apply_contact_events(work(db), [event(gone, at=NOW + timedelta(days=1))])

    contact = await db["contacts"].find_one({"_id": "ana"})
    assert contact["active"] is False


async def test_a_person_without_saved_preferences_gets_the_defaults_in_their_contacts_zone() -> (
    None
):
    db = memory_database()
    await apply_contact_events(work(db), [upserted("ana")])

    doc = await preferences.get_preferences(work(db, principal("ana")), person_id="ana")

    assert (doc["version"], doc["time_zone"], doc["opted_out"]) == (0, "Europe/Berlin", [])


async def test_a_person_replaces_their_own_preferences_and_reads_them_back() -> None:
    db = memory_database()
    ana = principal("ana")

    saved = await preferences.put_preferences(
        work(db, ana), person_id="ana", values={"time_zone": "Asia/Tokyo", "opted_out": []}
    )
    again = await preferences.put_preferences(
        work(db, ana), person_id="ana", values={"default_channels": ["inbox"]}
    )

    assert saved["version"] == 1
    assert (again["version"], again["time_zone"], again["default_channels"]) == (
        2,
        "Asia/Tokyo",
        ["inbox"],
    )
    assert await preferences.get_preferences(work(db, ana), person_id="ana") == again


async def test_another_persons_preferences_are_indistinguishable_from_missing_ones() -> None:
    db = memory_database()
    bob = principal("bob")

    with pytest.raises(NotFound):
        await preferences.get_preferences(work(db, bob), person_id="ana")
    with pytest.raises(NotFound):
        await preferences.put_preferences(work(db, bob), person_id="ana", values={})


async def test_a_machine_reads_anyones_preferences_but_changes_none() -> None:
    db = memory_database()
    machine = principal("planner", Role.SERVICE)

    doc = await preferences.get_preferences(work(db, machine), person_id="ana")

    assert doc["_id"] == "ana"
    with pytest.raises(NotFound):
        await preferences.put_preferences(work(db, machine), person_id="ana", values={})


async def test_an_unknown_time_zone_is_refused_and_nothing_is_saved() -> None:
    db = memory_database()
    uow = work(db, principal("ana"))

    with pytest.raises(InvalidInput, match="unknown time zone"):
        await preferences.put_preferences(uow, person_id="ana", values={"time_zone": "Mars/Base"})

    assert await uow.store.preferences.get("ana") is None


async def _message(db: Any, recipient_id: str) -> str:
    store = NotificationsStore(db)
    message_id = f"ntf1:{recipient_id}:inbox"
    await store.add_to_inbox(
        {
            "_id": message_id,
            "recipient_id": recipient_id,
            "title": "Hello",
            "created_ms": to_ms(NOW),
            "read": False,
            "read_ms": None,
        }
    )
    return message_id


async def test_marking_ones_own_message_read_records_when_and_is_idempotent() -> None:
    db = memory_database()
    message_id = await _message(db, "ana")
    later = NOW + timedelta(hours=1)

    first = await inbox.mark_read(work(db, principal("ana"), now=later), message_id=message_id)
    second = await inbox.mark_read(
        work(db, principal("ana"), now=later + timedelta(hours=1)), message_id=message_id
    )

    assert (first["read"], first["read_ms"]) == (True, to_ms(later))
    assert second["read_ms"] == to_ms(later)
    page, total = await inbox.list_inbox(
        work(db, principal("ana")), unread_only=True, limit=10, offset=0
    )
    assert (page, total) == ([], 0)


async def test_another_persons_message_is_not_found_and_stays_unread() -> None:
    db = memory_database()
    message_id = await _message(db, "ana")

    with pytest.raises(NotFound):
        await inbox.mark_read(work(db, principal("bob")), message_id=message_id)

    page, total = await inbox.list_inbox(
        work(db, principal("ana")), unread_only=True, limit=10, offset=0
    )
    assert total == 1 and page[0]["read"] is False


async def test_an_erased_person_leaves_the_directory_and_a_late_upsert_brings_nothing_back() -> (
    None
):
    db = memory_database()
    uow = work(db)
    await apply_contact_events(uow, [upserted("ana"), upserted("bob")])

    await apply_contact_events(uow, [event(PersonErased(person_id="ana")), upserted("ana")])

    assert await uow.store.contacts_of(["ana", "bob"]) == {"bob": await uow.store.contact("bob")}
    assert await is_erased(uow.store, ["ana", "bob"]) == {"ana"}
