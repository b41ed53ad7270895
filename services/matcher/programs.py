"""Service layer for programs: open one (stored, announced and audited in one document
write), list and read them, read their audit trail."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from services.matcher import outgoing
from services.matcher.deps import administered_program, caller_of, visible_program
from services.matcher.schemas import ProgramCreate
from services.matcher.store import Page
from services.matcher.unit_of_work import Work
from shared.auth import Role
from shared.contracts.matching import ProgramKind
from shared.contracts.registry import PROGRAMS
from shared.mongo import Document, NotFound


async def open_program(
    uow: Work, *, program_id: str, request: ProgramCreate
) -> tuple[Document, bool]:
    """Create the program (the caller becomes one of its admins), stage
    ``mentoring.program.opened`` and the ``program.created`` audit entry on it; returns
    (doc, created). Creating twice with the same id (an idempotent retry) returns the
    first one."""
    caller = caller_of(uow)
    if caller.subject not in request.admin_ids:
        request = request.model_copy(update={"admin_ids": [*request.admin_ids, caller.subject]})
    existing = await uow.store.programs.get(program_id)
    if existing is not None:
        return existing, False
    doc: Document = {
        "_id": program_id,
        **request.model_dump(mode="json"),
        "status": "open",
        "created_at": uow.now,
    }
    opened = outgoing.program_opened(program_id, request)
    doc = uow.stage(doc, PROGRAMS, opened, event_id=f"{program_id}:opened")
    doc = uow.audit(doc, "program.created", target=program_id)
    try:
        return await uow.store.programs.insert(doc), True
    except DuplicateKeyError:
        return await uow.store.programs.require(program_id), False


async def list_programs(uow: Work, *, kind: ProgramKind | None, limit: int, offset: int) -> Page:
    """Admins see the programs they run; employees see the open programs they may join."""
    caller = caller_of(uow)
    admin_of = (
        None if caller.has(Role.SERVICE) or not caller.has(Role.PROGRAM_ADMIN) else caller.subject
    )
    return await uow.store.list_programs(kind=kind, admin_id=admin_of, limit=limit, offset=offset)


async def get_program(uow: Work, *, program_id: str) -> Document:
    doc = await uow.store.programs.get(program_id)
    if doc is None or not visible_program(caller_of(uow), doc):
        raise NotFound(f"program {program_id}")
    return doc


async def program_audit(uow: Work, *, program_id: str, limit: int, offset: int) -> Page:
    """The program's administrative actions, newest first, for its admins."""
    await administered_program(uow, program_id)
    return await uow.store.audit_entries(target=program_id, limit=limit, offset=offset)
