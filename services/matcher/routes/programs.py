"""Programs: create, list, read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel

from services.matcher import programs
from services.matcher.deps import (
    ADMIN,
    ANYONE_BUT_ANALYST,
    Caller,
    RuntimeDep,
    StoreDep,
    administered_program,
    administers,
)
from services.matcher.schemas import ProgramCreate, ProgramRead
from shared import audit
from shared.api import IdempotencyKey, Page, PageParams, id_for, page_params
from shared.auth import Role
from shared.contracts.matching import ProgramKind
from shared.mongo import NotFound

router = APIRouter(prefix="/programs", tags=["programs"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProgramRead,
    dependencies=[ADMIN],
    responses={200: {"model": ProgramRead, "description": "Created before with this key."}},
)
async def create_program(
    body: ProgramCreate,
    caller: Caller,
    store: StoreDep,
    runtime: RuntimeDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Open a program (the caller becomes one of its admins); announces
    ``mentoring.program.opened`` on ``mentoring.programs.v1``."""
    if caller.subject not in body.admin_ids:
        body = body.model_copy(update={"admin_ids": [*body.admin_ids, caller.subject]})
    doc, created = await programs.open_program(
        store,
        program_id=id_for(idempotency_key, f"program:{caller.subject}"),
        request=body,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    if created:
        await audit.record(store.db, actor=caller, action="program.created", target=doc["_id"])
    else:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/programs/{doc['_id']}"
    return programs.program_read(doc)


@router.get("", response_model=Page[ProgramRead], dependencies=[ANYONE_BUT_ANALYST])
async def list_programs(
    store: StoreDep,
    caller: Caller,
    page: Annotated[PageParams, Depends(page_params)],
    kind: Annotated[ProgramKind | None, Query(description="Only programs of this kind.")] = None,
) -> dict[str, object]:
    """Admins see the programs they run; employees see the open programs they may join."""
    admin_of = (
        None if caller.has(Role.SERVICE) or not caller.has(Role.PROGRAM_ADMIN) else caller.subject
    )
    docs, total = await store.list_programs(
        kind=kind, admin_id=admin_of, limit=page.limit, offset=page.offset
    )
    return {
        "items": [programs.program_read(d) for d in docs],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get("/{program_id}", response_model=ProgramRead, dependencies=[ANYONE_BUT_ANALYST])
async def get_program(program_id: str, store: StoreDep, caller: Caller) -> dict[str, object]:
    doc = await store.programs.get(program_id)
    if doc is None or (
        caller.has(Role.PROGRAM_ADMIN)
        and not caller.has(Role.EMPLOYEE)
        and not administers(caller, doc)
    ):
        raise NotFound(f"program {program_id}")
    return programs.program_read(doc)


class AuditEntryRead(BaseModel):
    at: datetime
    actor: str
    roles: list[str]
    action: str
    target: str
    details: dict[str, Any]


@router.get("/{program_id}/audit", response_model=Page[AuditEntryRead], dependencies=[ADMIN])
async def program_audit(
    program_id: str,
    store: StoreDep,
    caller: Caller,
    page: Annotated[PageParams, Depends(page_params)],
) -> dict[str, object]:
    """The program's administrative actions, newest first (append-only)."""
    await administered_program(store, program_id, caller)
    docs, total = await audit.entries_for(
        store.db, target=program_id, limit=page.limit, offset=page.offset
    )
    return {"items": docs, "total": total, "limit": page.limit, "offset": page.offset}
