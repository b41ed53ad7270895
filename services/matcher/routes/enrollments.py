"""Enrollments of people in programs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from services.matcher import enrollments
from services.matcher.deps import (
    ADMIN,
    Caller,
    RuntimeDep,
    StoreDep,
    administered_program,
    administers,
)
from services.matcher.schemas import EnrollmentCreate, EnrollmentRead
from shared.api import CONFLICT, Page, PageParams, page_params, unprocessable
from shared.auth import Role
from shared.contracts.matching import MemberRole
from shared.mongo import NotFound

router = APIRouter(prefix="/programs/{program_id}/enrollments", tags=["enrollments"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrollmentRead,
    responses={**CONFLICT, 200: {"model": EnrollmentRead, "description": "Already enrolled."}},
)
async def enroll(
    program_id: str,
    body: EnrollmentCreate,
    caller: Caller,
    store: StoreDep,
    runtime: RuntimeDep,
    response: Response,
) -> dict[str, object]:
    """Enroll yourself, or (program admins) anyone; enrolling again answers 200."""
    program = await store.programs.get(program_id)
    if program is None:
        raise NotFound(f"program {program_id}")
    if not administers(caller, program):
        if not caller.has(Role.EMPLOYEE):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "needs the employee role")
        if body.person_id != caller.subject:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "you can only enroll yourself")
    try:
        doc, created = await enrollments.enroll(
            store, program_id=program_id, request=body, source=runtime.settings.source
        )
    except enrollments.EnrollmentRefused as exc:
        raise unprocessable(exc.field, str(exc)) from exc
    except enrollments.ProgramClosed as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    runtime.nudge_outbox()
    if not created:
        response.status_code = status.HTTP_200_OK
    return enrollments.enrollment_read(doc)


@router.get("", response_model=Page[EnrollmentRead], dependencies=[ADMIN])
async def list_enrollments(
    program_id: str,
    store: StoreDep,
    caller: Caller,
    page: Annotated[PageParams, Depends(page_params)],
    role: Annotated[MemberRole | None, Query()] = None,
) -> dict[str, object]:
    await administered_program(store, program_id, caller)
    docs, total = await store.list_enrollments(
        program_id=program_id, role=role, limit=page.limit, offset=page.offset
    )
    return {
        "items": [enrollments.enrollment_read(d) for d in docs],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.delete("/{person_id}", response_model=EnrollmentRead)
async def withdraw(
    program_id: str, person_id: str, store: StoreDep, runtime: RuntimeDep, caller: Caller
) -> dict[str, object]:
    """Withdraw yourself, or (program admins) anyone."""
    program = await store.programs.get(program_id)
    if program is None or (caller.subject != person_id and not administers(caller, program)):
        raise NotFound(f"enrollment of {person_id} in {program_id}")
    doc = await enrollments.withdraw(
        store, program_id=program_id, person_id=person_id, source=runtime.settings.source
    )
    runtime.nudge_outbox()
    return enrollments.enrollment_read(doc)
