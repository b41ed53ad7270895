"""What sessions keeps of others' facts: each program (cadence, feedback sharing,
admins), from ``mentoring.programs.v1``; who is enrolled in a flash program (who may
offer and book its slots), from ``mentoring.enrollments.v1``; and each person's time zone
(nothing else: no name, no contact), from ``hr.people.v1``.

Each write is a whole-document replace keyed by program or person id and guarded by
the event time, so a duplicate, a replay or an out-of-order older event changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.sessions.deps import administers, caller_of
from services.sessions.store import PEOPLE_ZONES, PROGRAMS
from services.sessions.store_flash import ENROLLMENTS
from services.sessions.unit_of_work import Work
from shared.auth import Role
from shared.contracts.hr import PersonUpserted
from shared.contracts.matching import (
    EnrollmentCreated,
    EnrollmentWithdrawn,
    ProgramClosed,
    ProgramOpened,
)
from shared.contracts.registry import ParsedEvent
from shared.mongo import Document, NotFound

_ENROLLMENT_EVENTS = (EnrollmentCreated, EnrollmentWithdrawn)


async def open_or_update(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Opened or updated (a ``ProgramUpdated`` is a ``ProgramOpened`` too): each program
    as of its newest event, in one read and one write per batch; a program keeps the
    status it has (a close is final)."""
    newest: dict[str, ParsedEvent] = {}
    for event in events:
        data = event.data
        assert isinstance(data, ProgramOpened)
        seen = newest.get(data.program_id)
        if seen is None or seen.as_of <= event.as_of:
            newest[data.program_id] = event
    current = await uow.store.by_id(PROGRAMS, list(newest))
    rows = []
    for program_id, event in newest.items():
        data, at, stored = event.data, event.as_of, current.get(program_id)
        assert isinstance(data, ProgramOpened)
        if stored is not None and stored.get("as_of", "") > at:
            continue
        rows.append(
            {
                "_id": program_id,
                "kind": data.kind.value,
                "admin_ids": list(data.admin_ids),
                "cadence_days": data.cadence_days,
                "feedback_visible_to_peers": data.feedback_visible_to_peers,
                "starts_on": data.starts_on.isoformat() if data.starts_on else None,
                "ends_on": data.ends_on.isoformat() if data.ends_on else None,
                "status": (stored or {}).get("status", "open"),
                "as_of": at,
            }
        )
    await uow.store.put(PROGRAMS, rows)


async def close(uow: Work, events: Sequence[ParsedEvent]) -> None:
    for event in events:
        data = event.data
        assert isinstance(data, ProgramClosed)
        await uow.store.close_program(data.program_id, event.as_of)


async def enrollments_changed(uow: Work, events: Sequence[ParsedEvent]) -> int:
    """Each enrollment as of its newest event (created: active, withdrawn: withdrawn);
    returns how many rows changed. Only flash enrollments are read here, so those of a
    program known to be of another kind (a kind never changes) are not kept: a 100k
    reverse-mentoring bulk enrollment writes nothing. A program not known yet (its topic
    read apart, behind) keeps its enrollments, to be safe."""
    programs = {e.data.program_id for e in events if isinstance(e.data, _ENROLLMENT_EVENTS)}
    not_flash = await _programs_not_flash(uow, programs)
    newest: dict[str, Document] = {}
    for event in events:
        data, at = event.data, event.as_of
        assert isinstance(data, _ENROLLMENT_EVENTS)
        if data.program_id in not_flash:
            continue
        active = isinstance(data, EnrollmentCreated)
        row = {
            "_id": data.enrollment_id,
            "program_id": data.program_id,
            "person_id": data.person_id,
            "status": "active" if active else "withdrawn",
            "as_of": at,
        }
        if data.enrollment_id not in newest or newest[data.enrollment_id]["as_of"] <= at:
            newest[data.enrollment_id] = row
    return await _newer_rows(uow, ENROLLMENTS, newest) if newest else 0


async def _programs_not_flash(uow: Work, program_ids: set[str]) -> set[str]:
    """Of ``program_ids``, those the projection holds with a kind other than flash."""
    known = await uow.store.by_id(PROGRAMS, list(program_ids))
    return {key for key, program in known.items() if program.get("kind") != "flash"}


async def _newer_rows(uow: Work, collection: str, newest: dict[str, Document]) -> int:
    """Write the rows newer than (or as new as) the stored ones; returns how many."""
    current = await uow.store.by_id(collection, list(newest))
    changed = [
        row
        for key, row in newest.items()
        if key not in current or current[key].get("as_of", "") <= row["as_of"]
    ]
    await uow.store.put(collection, changed)
    return len(changed)


async def zones_upserted(uow: Work, events: Sequence[ParsedEvent]) -> int:
    """Each person's zone as of their newest upsert; returns how many rows changed."""
    newest: dict[str, Document] = {}
    for event in events:
        data, at = event.data, event.as_of
        assert isinstance(data, PersonUpserted)
        row = {"_id": data.person_id, "time_zone": data.time_zone, "as_of": at}
        if data.person_id not in newest or newest[data.person_id]["as_of"] <= at:
            newest[data.person_id] = row
    return await _newer_rows(uow, PEOPLE_ZONES, newest)


async def visible_program(uow: Work, *, program_id: str) -> Document:
    """For employees and services; an admin sees the programs they administer (else 404)."""
    caller = caller_of(uow)
    doc = await uow.store.program(program_id)
    if doc is None or not (caller.has(Role.EMPLOYEE) or administers(caller, doc)):
        raise NotFound(f"program {program_id}")
    return doc
