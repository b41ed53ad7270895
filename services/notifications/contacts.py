"""The notifier's contact directory, kept from ``hr.people.v1``.

Only what delivery needs (name for salutation, e-mail, chat ids, time zone); it is
never put on another topic. Erasure deletes the contact; departure marks it so
nothing more is sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import DeleteOne, ReplaceOne, UpdateOne

from services.notifications.store import NotificationsStore
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import ParsedEvent


async def apply_contact_events(store: NotificationsStore, events: Sequence[ParsedEvent]) -> None:
    operations: list[ReplaceOne | UpdateOne | DeleteOne] = []
    for event in events:
        data = event.data
        if isinstance(data, PersonUpserted):
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
    if operations:
        await store.contacts.bulk_write(operations, ordered=True)
