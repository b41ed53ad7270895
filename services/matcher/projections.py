"""The matcher's projection of people, kept from ``hr.people.v1``.

Writes are deterministic by person id, so a replay or a duplicate delivery leaves
the same state. A departure is kept (``departed_on``) so matching skips the person;
erasure removes the document.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.matcher.store import PersonChange
from services.matcher.unit_of_work import Work
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import ParsedEvent


def person_change(event: ParsedEvent) -> PersonChange | None:
    """What an HR fact changes in the projection (``None``: nothing)."""
    data = event.data
    if isinstance(data, PersonUpserted):
        doc = data.model_dump(mode="json")
        return "upsert", doc.pop("person_id"), doc
    if isinstance(data, PersonDeparted):
        return "depart", data.person_id, {"departed_on": data.departed_on.isoformat()}
    if isinstance(data, PersonErased):
        return "erase", data.person_id, {}
    return None


async def apply_hr_events(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Apply a run of HR facts in order, in one ordered bulk write."""
    changes = [c for c in map(person_change, events) if c is not None]
    await uow.store.write_people(changes)
