"""Service layer, concerns: a participant reports a concern privately to the program's
admins.

The text stays here: ``mentoring.concern.reported`` carries ids only (the notifier
tells each program admin that there is one, without its content). The program's admins
list, read and mark concerns handled; the reporter sees their own; anyone else, the
person a concern is about included, gets 404 as if there were none. Each step is
audited on the concern's own write (target: the program).
"""

from __future__ import annotations

import uuid

from services.matcher.deps import administers, caller_of, visible_program
from services.matcher.enrollments import enrollment_id
from services.matcher.people import require_people
from services.matcher.store import Page
from services.matcher.unit_of_work import Work
from shared.api import PageParams
from shared.contracts.matching import ConcernReported
from shared.contracts.registry import PROGRAMS
from shared.errors import InvalidInput
from shared.mongo import Document, NotFound


async def report_concern(
    uow: Work,
    *,
    program_id: str,
    text: str,
    about_person_id: str | None = None,
    match_id: str | None = None,
) -> Document:
    """Store the concern and announce it (ids only) to the program's admins."""
    reporter = caller_of(uow).subject
    program = await uow.store.programs.get(program_id)
    enrolled = await uow.store.enrollments.get(enrollment_id(program_id, reporter))
    if program is None or enrolled is None:
        raise NotFound(f"program {program_id}")
    if about_person_id is not None:
        await require_people(uow, "about_person_id", [about_person_id])
    if match_id is not None:
        match = await uow.store.matches.get(match_id)
        if (
            match is None
            or match["program_id"] != program_id
            or reporter not in match["member_ids"]
        ):
            raise InvalidInput(f"match_id: {match_id} is not one of your matches in this program")
    concern_id = str(uuid.uuid4())
    doc: Document = {
        "_id": concern_id,
        "program_id": program_id,
        "reporter_id": reporter,
        "about_person_id": about_person_id,
        "match_id": match_id,
        "text": text,
        "status": "open",
        "created_at": uow.now,
    }
    event = ConcernReported(concern_id=concern_id, program_id=program_id)
    doc = uow.stage(doc, PROGRAMS, event, event_id=f"{concern_id}:reported")
    doc = uow.audit(doc, "concern.reported", target=program_id, details={"concern_id": concern_id})
    return await uow.store.concerns.insert(doc)


async def list_concerns(uow: Work, *, program_id: str, page: PageParams) -> Page:
    """All the program's concerns for its admins; a participant's own for anyone else."""
    caller = caller_of(uow)
    program = await uow.store.programs.get(program_id)
    if program is None or not visible_program(caller, program):
        raise NotFound(f"program {program_id}")
    reporter = None if administers(caller, program) else caller.subject
    return await uow.store.page_concerns(program_id, reporter_id=reporter, page=page)


async def get_concern(uow: Work, *, program_id: str, concern_id: str) -> Document:
    """One concern, for the program's admins and its reporter (anyone else: 404)."""
    doc, program = await _concern(uow, program_id, concern_id)
    caller = caller_of(uow)
    if caller.subject != doc["reporter_id"] and not administers(caller, program):
        raise NotFound(f"concern {concern_id}")
    return doc


async def mark_handled(uow: Work, *, program_id: str, concern_id: str) -> Document:
    """An admin of the program marks the concern handled (again: nothing changes)."""
    doc, program = await _concern(uow, program_id, concern_id)
    caller = caller_of(uow)
    if not administers(caller, program):
        raise NotFound(f"concern {concern_id}")
    if doc["status"] == "handled":
        return doc
    doc = {**doc, "status": "handled", "handled_at": uow.now, "handled_by": caller.subject}
    doc = uow.audit(doc, "concern.handled", target=program_id, details={"concern_id": concern_id})
    return await uow.store.concerns.replace(doc)


async def _concern(uow: Work, program_id: str, concern_id: str) -> tuple[Document, Document]:
    doc = await uow.store.concerns.get(concern_id)
    program = await uow.store.programs.get(program_id)
    if doc is None or program is None or doc["program_id"] != program_id:
        raise NotFound(f"concern {concern_id}")
    return doc, program
