"""The matcher's projection of people, kept from ``hr.people.v1``.

Writes are deterministic by person id, so a replay or a duplicate delivery leaves
the same state. A departure is kept (``departed_on``) so matching skips the person;
erasure removes the document. The handler table hands each function a run of one
event type, applied in order in one ordered bulk write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from services.matcher.store import PersonChange
from services.matcher.unit_of_work import Work
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import ParsedEvent


def person_upserted(data: PersonUpserted) -> PersonChange:
    """The projection's write of one person's facts: their whole document, by id."""
    doc = data.model_dump(mode="json")
    return "upsert", doc.pop("person_id"), doc


async def people_upserted(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Each person's facts replace what the projection held (whole-document upsert); of
    several facts of one person in the run, only the last is written (the others would
    be replaced by it in the same bulk write)."""
    latest: dict[str, PersonChange] = {}
    for event in events:
        change = person_upserted(cast(PersonUpserted, event.data))
        latest[change[1]] = change
    await uow.store.write_people(list(latest.values()))


async def people_departed(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """A leaver is kept with ``departed_on`` (matching skips them)."""
    departures = [cast(PersonDeparted, e.data) for e in events]
    await uow.store.write_people(
        [("depart", d.person_id, {"departed_on": d.departed_on.isoformat()}) for d in departures]
    )


async def people_erased(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """An erased person's profile goes."""
    erased = [cast(PersonErased, e.data) for e in events]
    await uow.store.write_people([("erase", e.person_id, {}) for e in erased])
