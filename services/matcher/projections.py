"""The matcher's projection of people, kept from ``hr.people.v1``.

Writes are deterministic by person id, and the newest fact wins: a document records
the time of the event it was written from (``as_of``), and an upsert or departure older
than that is not applied. So a replay, a duplicate delivery or a late copy leaves the same
state, and the consumer need not remember which events it applied
(``shared.service.replay_safe``). A departure is kept (``departed_on``) so matching skips
the person; erasure removes the document. The handler table hands each function a run of
one event type, applied in order in one ordered bulk write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from services.matcher.store import PersonChange
from services.matcher.unit_of_work import Work
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import ParsedEvent


def person_upserted(data: PersonUpserted, *, at: str) -> PersonChange:
    """The projection's write of one person's facts: their whole document, by id."""
    doc = data.model_dump(mode="json")
    return "upsert", doc.pop("person_id"), {**doc, "as_of": at}


async def people_upserted(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Each person's newest facts replace what the projection held (whole-document
    upsert), unless it holds newer ones; of several facts of one person in the run, only
    the newest is written."""
    changes = [person_upserted(cast(PersonUpserted, e.data), at=e.as_of) for e in events]
    await _write_newest(uow, changes)


async def people_departed(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """A leaver is kept with ``departed_on`` (matching skips them)."""
    changes: list[PersonChange] = []
    for event in events:
        departed = cast(PersonDeparted, event.data)
        fields = {"departed_on": departed.departed_on.isoformat(), "as_of": event.as_of}
        changes.append(("depart", departed.person_id, fields))
    await _write_newest(uow, changes)


async def _write_newest(uow: Work, changes: Sequence[PersonChange]) -> None:
    """Write each person's newest change, if newer than (or as new as) what is held;
    a document without ``as_of`` (written before it was kept) is older than any."""
    newest: dict[str, PersonChange] = {}
    for change in changes:
        held = newest.get(change[1])
        if held is None or held[2]["as_of"] <= change[2]["as_of"]:
            newest[change[1]] = change
    stored = await uow.store.people_as_of(list(newest))
    await uow.store.write_people(
        [c for pid, c in newest.items() if stored.get(pid, "") <= c[2]["as_of"]]
    )


async def people_erased(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """An erased person's profile goes."""
    erased = [cast(PersonErased, e.data) for e in events]
    await uow.store.write_people([("erase", e.person_id, {}) for e in erased])
