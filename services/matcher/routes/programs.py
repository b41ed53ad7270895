"""Programs: create, list, read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from services.matcher import programs
from services.matcher.deps import ADMIN, ANYONE_BUT_ANALYST, Paging, Work, caller_of
from services.matcher.lifecycle_schemas import EligibilityRead, ProgramUpdate, RulesUpdate
from services.matcher.routes.reads import as_page, as_read
from services.matcher.schemas import ProgramCreate, ProgramRead
from shared.api import CONFLICT, IdempotencyKey, Page, id_for
from shared.contracts.matching import ProgramKind
from shared.inputs import PathIdentifier

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
    uow: Work,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Open a program (the caller becomes one of its admins); announces
    ``mentoring.program.opened`` on ``mentoring.programs.v1``."""
    program_id = id_for(idempotency_key, f"program:{caller_of(uow).subject}")
    doc, created = await programs.open_program(uow, program_id=program_id, request=body)
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/programs/{doc['_id']}"
    return as_read(doc)


@router.get("", response_model=Page[ProgramRead], dependencies=[ANYONE_BUT_ANALYST])
async def list_programs(
    uow: Work,
    page: Paging,
    kind: Annotated[ProgramKind | None, Query(description="Only programs of this kind.")] = None,
) -> dict[str, object]:
    """Admins see the programs they run; employees see the open programs they may join."""
    found = await programs.list_programs(uow, kind=kind, page=page)
    return as_page(found, page, as_read)


@router.get("/{program_id}", response_model=ProgramRead, dependencies=[ANYONE_BUT_ANALYST])
async def get_program(program_id: PathIdentifier, uow: Work) -> dict[str, object]:
    return as_read(await programs.get_program(uow, program_id=program_id))


@router.patch("/{program_id}", response_model=ProgramRead, dependencies=[ADMIN], responses=CONFLICT)
async def update_program(
    program_id: PathIdentifier, body: ProgramUpdate, uow: Work
) -> dict[str, object]:
    """Change a program (every field optional, checked as on creation); applies from the
    next round; announces ``mentoring.program.updated``. A closed program: 409."""
    return as_read(await programs.update_program(uow, program_id=program_id, request=body))


@router.post(
    "/{program_id}/eligibility",
    response_model=EligibilityRead,
    dependencies=[ADMIN],
    responses=CONFLICT,
)
async def program_eligibility(
    program_id: PathIdentifier, body: RulesUpdate, uow: Work
) -> dict[str, object]:
    """Preview a rules change: how many enrolled people would have at least one eligible
    partner under the program's rules with ``body`` applied (partial, as in a PATCH).
    Nothing is saved. A flash program: 409."""
    found = await programs.eligibility(uow, program_id=program_id, rules=body)
    return {
        "enrolled": found.enrolled,
        "eligible": found.eligible,
        "estimated": found.estimated,
        "sides": [
            {"role": s.role.value, "enrolled": s.enrolled, "eligible": s.eligible}
            for s in found.sides
        ],
    }


@router.post(
    "/{program_id}/close", response_model=ProgramRead, dependencies=[ADMIN], responses=CONFLICT
)
async def close_program(program_id: PathIdentifier, uow: Work) -> dict[str, object]:
    """Close the program: its proposals are declined and its matches end
    (``program_completed``); announces ``mentoring.program.closed``. Closed already: 409."""
    return as_read(await programs.close_program(uow, program_id=program_id))


class AuditEntryRead(BaseModel):
    at: datetime
    actor: str
    roles: list[str]
    action: str
    target: str
    details: dict[str, Any]


@router.get("/{program_id}/audit", response_model=Page[AuditEntryRead], dependencies=[ADMIN])
async def program_audit(program_id: PathIdentifier, uow: Work, page: Paging) -> dict[str, object]:
    """The program's administrative actions, newest first (append-only)."""
    found = await programs.program_audit(uow, program_id=program_id, page=page)
    return as_page(found, page)
