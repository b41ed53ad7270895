"""The notifier's contact directory, kept from ``hr.people.v1``.

Only what delivery needs (name for salutation, e-mail, chat ids, time zone); it is
never put on another topic. Departure marks the contact so nothing more is sent;
erasure removes every trace of the person (``erasure.erase_person``), in event order
with the upserts around it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import DeleteOne, ReplaceOne, UpdateOne

from services.notifications.erasure import erase_person, is_erased
from services.notifications.store import NotificationsStore
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import ParsedEvent


async def apply_contact_events(store: NotificationsStore, events: Sequence[ParsedEvent]) -> None:
    operations: list[ReplaceOne | UpdateOne | DeleteOne] = []
    upserted = [e.data.person_id for e in events if isinstance(e.data, PersonUpserted)]
    erased = await is_erased(store, upserted)
    for event in events:
        data = event.data
        if isinstance(data, PersonUpserted):
            if data.person_id in erased:
                continue  # erasure is final: a late or replayed upsert brings nothing back
            contact = {
                "_id": data.person_id,
                "display_name": data.display_name,
                "email": data.email,
                "time_zone": data.time_zone,
                "slack_user_id": data.slack_user_id,
                "teams_user_id": data.teams_user_id,
                "active": True,
            }
            operations.append(ReplaceOne({"_id": data.person_id}, contact, upsert=True))
        elif isinstance(data, PersonDeparted):
            operations.append(UpdateOne({"_id": data.person_id}, {"$set": {"active": False}}))
        elif isinstance(data, PersonErased):
            operations.append(DeleteOne({"_id": data.person_id}))
            await _flush(store, operations)
            await erase_person(store, data.person_id)
            erased.add(data.person_id)
    await _flush(store, operations)


async def _flush(
    store: NotificationsStore, operations: list[ReplaceOne | UpdateOne | DeleteOne]
) -> None:
    if operations:
        await store.contacts.bulk_write(operations, ordered=True)
        operations.clear()
