"""The matcher's projection of people, kept from ``hr.people.v1``.

Writes are deterministic by person id, so a replay or a duplicate delivery leaves
the same state. A departure is kept (``departed_on``) so matching skips the person;
erasure removes the document.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import DeleteOne, ReplaceOne, UpdateOne

from services.matcher.store import MatcherStore
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import ParsedEvent


async def apply_hr_events(store: MatcherStore, events: Sequence[ParsedEvent]) -> None:
    """Apply a batch in order, in one ordered bulk write."""
    operations: list[ReplaceOne | DeleteOne | UpdateOne] = []
    for event in events:
        data = event.data
        if isinstance(data, PersonUpserted):
            doc = data.model_dump(mode="json")
            person_id = doc.pop("person_id")
            operations.append(
                ReplaceOne({"_id": person_id}, {"_id": person_id, **doc}, upsert=True)
            )
        elif isinstance(data, PersonDeparted):
            operations.append(
                UpdateOne(
                    {"_id": data.person_id}, {"$set": {"departed_on": data.departed_on.isoformat()}}
                )
            )
        elif isinstance(data, PersonErased):
            operations.append(DeleteOne({"_id": data.person_id}))
    if operations:
        await store.people.bulk_write(operations, ordered=True)
