"""Enrollments of people in programs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from services.matcher import enrollments
from services.matcher.deps import RuntimeDep, StoreDep
from services.matcher.schemas import EnrollmentCreate, EnrollmentRead
from shared.api import Page, PageParams, page_params
from shared.contracts.matching import MemberRole

router = APIRouter(prefix="/programs/{program_id}/enrollments", tags=["enrollments"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EnrollmentRead)
async def enroll(
    program_id: str,
    body: EnrollmentCreate,
    store: StoreDep,
    runtime: RuntimeDep,
    response: Response,
) -> dict[str, object]:
    """Enroll a person (idempotent: the same person again answers 200 with the same one)."""
    try:
        doc, created = await enrollments.enroll(
            store, program_id=program_id, request=body, source=runtime.settings.source
        )
    except enrollments.EnrollmentRefused as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    runtime.nudge_outbox()
    if not created:
        response.status_code = status.HTTP_200_OK
    return enrollments.enrollment_read(doc)


@router.get("", response_model=Page[EnrollmentRead])
async def list_enrollments(
    program_id: str,
    store: StoreDep,
    page: Annotated[PageParams, Depends(page_params)],
    role: Annotated[MemberRole | None, Query()] = None,
) -> dict[str, object]:
    await store.programs.require(program_id)
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
    program_id: str, person_id: str, store: StoreDep, runtime: RuntimeDep
) -> dict[str, object]:
    doc = await enrollments.withdraw(
        store, program_id=program_id, person_id=person_id, source=runtime.settings.source
    )
    runtime.nudge_outbox()
    return enrollments.enrollment_read(doc)
