"""Service layer for enrollments: one per person and program, announced via the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from services.matcher.schemas import EnrollmentCreate
from services.matcher.store import MatcherStore
from shared.contracts.envelope import Envelope
from shared.contracts.matching import EnrollmentCreated, EnrollmentWithdrawn, ProgramKind
from shared.contracts.registry import ENROLLMENTS
from shared.mongo import Document, NotFound
from shared.outbox import stage_event

ROLES_BY_KIND = {
    ProgramKind.REVERSE_MENTORING: {"mentor", "mentee"},
    ProgramKind.PEER_COACHING: {"peer"},
    ProgramKind.PEER_GROUP: {"peer"},
}


class EnrollmentRefused(Exception):
    """The enrollment breaks a rule about one of its fields (422 on that field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ProgramClosed(Exception):
    """The program does not take enrollments now (409)."""


def enrollment_id(program_id: str, person_id: str) -> str:
    return f"{program_id}:{person_id}"


async def enroll(
    store: MatcherStore, *, program_id: str, request: EnrollmentCreate, source: str
) -> tuple[Document, bool]:
    """Enroll a person; enrolling again returns the existing enrollment (idempotent)."""
    program = await store.programs.require(program_id)
    if program.get("status") != "open":
        raise ProgramClosed(f"program {program_id} is {program.get('status')}")
    allowed = ROLES_BY_KIND[ProgramKind(program["kind"])]
    if request.role.value not in allowed:
        raise EnrollmentRefused(
            "role",
            f"role {request.role.value!r} does not exist in a {program['kind']} program "
            f"(allowed: {', '.join(sorted(allowed))})",
        )
    person = await store.people.find_one({"_id": request.person_id})
    if person is None:
        raise EnrollmentRefused(
            "person_id", f"person {request.person_id} is not known (import them first)"
        )
    if person.get("departed_on"):
        raise EnrollmentRefused(
            "person_id", f"person {request.person_id} has left the organisation"
        )
    doc_id = enrollment_id(program_id, request.person_id)
    existing = await store.enrollments.get(doc_id)
    if existing is not None and existing["status"] == "active":
        return existing, False
    now = datetime.now(UTC)
    doc: Document = {
        "_id": doc_id,
        "program_id": program_id,
        **request.model_dump(mode="json"),
        "status": "active",
        "created_at": now,
    }
    created = EnrollmentCreated(
        enrollment_id=doc_id, program_id=program_id, person_id=request.person_id, role=request.role
    )
    revision = (existing or {}).get("version", 0)
    envelope = Envelope.wrap(
        created, source=source, subject=doc_id, event_id=f"{doc_id}:created:{revision}", time=now
    )
    if existing is not None:  # re-enrolling after a withdrawal
        return await store.enrollments.replace(
            stage_event({**doc, "version": existing["version"]}, ENROLLMENTS.name, envelope)
        ), True
    try:
        return await store.enrollments.insert(stage_event(doc, ENROLLMENTS.name, envelope)), True
    except DuplicateKeyError:
        return await store.enrollments.require(doc_id), False


async def withdraw(
    store: MatcherStore, *, program_id: str, person_id: str, source: str
) -> Document:
    doc = await store.enrollments.get(enrollment_id(program_id, person_id))
    if doc is None or doc["status"] != "active":
        raise NotFound(f"enrollment of {person_id} in {program_id}")
    withdrawn = EnrollmentWithdrawn(
        enrollment_id=doc["_id"], program_id=program_id, person_id=person_id
    )
    envelope = Envelope.wrap(
        withdrawn,
        source=source,
        subject=doc["_id"],
        event_id=f"{doc['_id']}:withdrawn:{doc['version']}",
    )
    return await store.enrollments.replace(
        stage_event({**doc, "status": "withdrawn"}, ENROLLMENTS.name, envelope)
    )


def enrollment_read(doc: Document) -> dict[str, object]:
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if not k.startswith("_")}}
