"""Service layer for enrollments: one per person and program, announced via the outbox."""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from services.matcher.deps import administered_program, administers, caller_of, may_enroll
from services.matcher.domain.bulk_enrollment import ROLES_BY_KIND
from services.matcher.endings import close_out_person
from services.matcher.schemas import EnrollmentCreate
from services.matcher.store import Page
from services.matcher.unit_of_work import Work
from shared.api import PageParams
from shared.contracts.envelope import Envelope
from shared.contracts.matching import (
    EnrollmentCreated,
    EnrollmentWithdrawn,
    MemberRole,
    ProgramKind,
)
from shared.contracts.registry import ENROLLMENTS
from shared.errors import IllegalTransition
from shared.mongo import Document, NotFound
from shared.outbox_staging import PENDING, pending_entry, stage_entries


class EnrollmentRefused(Exception):
    """The enrollment breaks a rule about one of its fields (422 on that field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ProgramClosed(IllegalTransition):
    """The program does not take enrollments now (409)."""


def enrollment_id(program_id: str, person_id: str) -> str:
    return f"{program_id}:{person_id}"


async def enroll(uow: Work, *, program_id: str, request: EnrollmentCreate) -> tuple[Document, bool]:
    """Enroll yourself, or (program admins) anyone; enrolling again returns the existing
    enrollment (idempotent). Returns (doc, created)."""
    program = await uow.store.programs.get(program_id)
    if program is None:
        raise NotFound(f"program {program_id}")
    may_enroll(caller_of(uow), program, request.person_id)
    await _check_enrollment(uow, program, request)
    doc_id = enrollment_id(program_id, request.person_id)
    existing = await uow.store.enrollments.get(doc_id)
    if existing is not None and existing["status"] == "active":
        return existing, False
    doc = enrollment_doc(uow, program_id, request.model_dump(mode="json"), existing)
    if existing is not None:  # re-enrolling after a withdrawal
        return await uow.store.enrollments.replace(doc), True
    try:
        return await uow.store.enrollments.insert(doc), True
    except DuplicateKeyError:
        return await uow.store.enrollments.require(doc_id), False


def enrollment_doc(
    uow: Work, program_id: str, fields: dict[str, Any], existing: Document | None
) -> Document:
    """A new active enrollment (``fields`` as ``EnrollmentCreate`` dumps them) with its
    ``mentoring.enrollment.created`` staged; over ``existing`` (a withdrawn one) when
    re-enrolling, whose events not relayed yet (its withdrawal) go out first rather than
    being lost with the replaced document. Single and bulk enrollments build theirs here."""
    doc_id = enrollment_id(program_id, fields["person_id"])
    doc: Document = {
        "_id": doc_id,
        "program_id": program_id,
        **fields,
        "status": "active",
        "created_at": uow.now,
    }
    revision = (existing or {}).get("version", 0)
    if existing is not None:
        doc = stage_entries({**doc, "version": existing["version"]}, existing.get(PENDING, []))
    return uow.stage(doc, ENROLLMENTS, _created(doc), event_id=_created_id(doc_id, revision))


def created_entry(uow: Work, written: Document) -> Document:
    """The ``mentoring.enrollment.created`` of an enrollment as it was written (its
    ``version`` after the write), to queue apart from it (a bulk batch queues its
    events on its report): the event ``enrollment_doc`` stages, same id and time, so
    staging it again is de-duplicated."""
    envelope = Envelope.wrap(
        _created(written),
        source=uow.source,
        subject=written["_id"],
        event_id=_created_id(written["_id"], written["version"] - 1),
        time=written["created_at"],
    )
    return pending_entry(ENROLLMENTS.name, envelope)


def _created(doc: Document) -> EnrollmentCreated:
    return EnrollmentCreated(
        enrollment_id=doc["_id"],
        program_id=doc["program_id"],
        person_id=doc["person_id"],
        role=MemberRole(doc["role"]),
    )


def _created_id(doc_id: str, revision: int) -> str:
    """Per enrollment and revision (the version it replaced; 0 for a new one)."""
    return f"{doc_id}:created:{revision}"


async def _check_enrollment(uow: Work, program: Document, request: EnrollmentCreate) -> None:
    if program.get("status") != "open":
        raise ProgramClosed(f"program {program['_id']} is {program.get('status')}")
    allowed = ROLES_BY_KIND[ProgramKind(program["kind"])]
    if request.role.value not in allowed:
        raise EnrollmentRefused(
            "role",
            f"role {request.role.value!r} does not exist in a {program['kind']} program "
            f"(allowed: {', '.join(sorted(allowed))})",
        )
    person = await uow.store.person(request.person_id)
    if person is None:
        raise NotFound(f"person_id: person {request.person_id} is not known (import them first)")
    if person.get("departed_on"):
        raise EnrollmentRefused(
            "person_id", f"person {request.person_id} has left the organisation"
        )


async def withdraw(uow: Work, *, program_id: str, person_id: str) -> Document:
    """Withdraw yourself, or (program admins) anyone. Your proposals in the program are
    declined and your running matches end (``enrollment_withdrawn``), before the
    enrollment is written, so a retry after a failure finishes the job."""
    program = await uow.store.programs.get(program_id)
    caller = caller_of(uow)
    if program is None or (caller.subject != person_id and not administers(caller, program)):
        raise NotFound(f"enrollment of {person_id} in {program_id}")
    doc = await uow.store.enrollments.get(enrollment_id(program_id, person_id))
    if doc is None or doc["status"] != "active":
        raise NotFound(f"enrollment of {person_id} in {program_id}")
    await close_out_person(uow, program_id=program_id, person_id=person_id)
    withdrawn = EnrollmentWithdrawn(
        enrollment_id=doc["_id"], program_id=program_id, person_id=person_id
    )
    event_id = f"{doc['_id']}:withdrawn:{doc['version']}"
    return await uow.store.enrollments.replace(
        uow.stage({**doc, "status": "withdrawn"}, ENROLLMENTS, withdrawn, event_id=event_id)
    )


async def list_enrollments(
    uow: Work, *, program_id: str, role: MemberRole | None, page: PageParams
) -> Page:
    """A program's active enrollments, for its admins."""
    await administered_program(uow, program_id)
    return await uow.store.list_enrollments(program_id=program_id, role=role, page=page)
