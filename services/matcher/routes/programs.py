"""Programs: create, list, read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from services.matcher import programs
from services.matcher.deps import RuntimeDep, StoreDep
from services.matcher.schemas import ProgramCreate, ProgramRead
from shared.api import IdempotencyKey, Page, PageParams, id_for, page_params
from shared.contracts.matching import ProgramKind
from shared.mongo import NotFound

router = APIRouter(prefix="/programs", tags=["programs"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProgramRead)
async def create_program(
    body: ProgramCreate,
    store: StoreDep,
    runtime: RuntimeDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Open a program; announces ``mentoring.program.opened`` on ``mentoring.programs.v1``."""
    doc, created = await programs.open_program(
        store,
        program_id=id_for(idempotency_key, "program"),
        request=body,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/programs/{doc['_id']}"
    return programs.program_read(doc)


@router.get("", response_model=Page[ProgramRead])
async def list_programs(
    store: StoreDep,
    page: Annotated[PageParams, Depends(page_params)],
    kind: Annotated[ProgramKind | None, Query(description="Only programs of this kind.")] = None,
) -> dict[str, object]:
    docs, total = await store.list_programs(kind=kind, limit=page.limit, offset=page.offset)
    return {
        "items": [programs.program_read(d) for d in docs],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get("/{program_id}", response_model=ProgramRead)
async def get_program(program_id: str, store: StoreDep) -> dict[str, object]:
    doc = await store.programs.get(program_id)
    if doc is None:
        raise NotFound(f"program {program_id}")
    return programs.program_read(doc)
