"""Enrollments of people in programs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.matcher import enrollments
from services.matcher.deps import ADMIN, Paging, Work
from services.matcher.routes.reads import as_page, as_read
from services.matcher.schemas import EnrollmentCreate, EnrollmentRead
from shared.api import CONFLICT, Page, unprocessable
from shared.contracts.matching import MemberRole
from shared.inputs import PathIdentifier

router = APIRouter(prefix="/programs/{program_id}/enrollments", tags=["enrollments"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrollmentRead,
    responses={**CONFLICT, 200: {"model": EnrollmentRead, "description": "Already enrolled."}},
)
async def enroll(
    program_id: PathIdentifier, body: EnrollmentCreate, uow: Work, response: Response
) -> dict[str, object]:
    """Enroll yourself, or (program admins) anyone; enrolling again answers 200."""
    try:
        doc, created = await enrollments.enroll(uow, program_id=program_id, request=body)
    except enrollments.EnrollmentRefused as exc:
        raise unprocessable(exc.field, str(exc)) from exc
    if not created:
        response.status_code = status.HTTP_200_OK
    return as_read(doc)


@router.get("", response_model=Page[EnrollmentRead], dependencies=[ADMIN])
async def list_enrollments(
    program_id: PathIdentifier,
    uow: Work,
    page: Paging,
    role: Annotated[MemberRole | None, Query()] = None,
) -> dict[str, object]:
    found = await enrollments.list_enrollments(uow, program_id=program_id, role=role, page=page)
    return as_page(found, page, as_read)


@router.delete("/{person_id}", response_model=EnrollmentRead)
async def withdraw(
    program_id: PathIdentifier, person_id: PathIdentifier, uow: Work
) -> dict[str, object]:
    """Withdraw yourself, or (program admins) anyone."""
    return as_read(await enrollments.withdraw(uow, program_id=program_id, person_id=person_id))
