"""Concerns: a participant reports one privately to the program's admins, who list,
read and mark them handled; the reporter reads their own; anyone else gets 404."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from services.matcher import concerns
from services.matcher.deps import ADMIN, ANYONE_BUT_ANALYST, PARTICIPANT, Paging, Work
from services.matcher.routes.reads import as_page, as_read
from shared.api import Page
from shared.inputs import Identifier, PathIdentifier, StrictBody, Text

router = APIRouter(prefix="/programs/{program_id}/concerns", tags=["safety"])

MAX_CONCERN_LENGTH = 4000


class ConcernCreate(StrictBody):
    text: Text = Field(min_length=1, max_length=MAX_CONCERN_LENGTH)
    about_person_id: Identifier | None = None
    match_id: Identifier | None = None


class ConcernRead(BaseModel):
    id: str
    program_id: str
    reporter_id: str
    about_person_id: str | None = None
    match_id: str | None = None
    text: str
    status: str
    created_at: datetime
    handled_at: datetime | None = None
    handled_by: str | None = None


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ConcernRead,
    dependencies=[PARTICIPANT],
)
async def report_concern(
    program_id: PathIdentifier, body: ConcernCreate, uow: Work
) -> dict[str, object]:
    """Report a concern to the program's admins (you must be enrolled in it). The person
    it is about never sees it."""
    doc = await concerns.report_concern(
        uow,
        program_id=program_id,
        text=body.text,
        about_person_id=body.about_person_id,
        match_id=body.match_id,
    )
    return as_read(doc)


@router.get("", response_model=Page[ConcernRead], dependencies=[ANYONE_BUT_ANALYST])
async def list_concerns(program_id: PathIdentifier, uow: Work, page: Paging) -> dict[str, object]:
    """The program's concerns for its admins; your own reports otherwise. Newest first."""
    found = await concerns.list_concerns(uow, program_id=program_id, page=page)
    return as_page(found, page, as_read)


@router.get("/{concern_id}", response_model=ConcernRead, dependencies=[ANYONE_BUT_ANALYST])
async def get_concern(
    program_id: PathIdentifier, concern_id: PathIdentifier, uow: Work
) -> dict[str, object]:
    """One concern, for the program's admins and its reporter."""
    return as_read(await concerns.get_concern(uow, program_id=program_id, concern_id=concern_id))


@router.post("/{concern_id}/handled", response_model=ConcernRead, dependencies=[ADMIN])
async def mark_handled(
    program_id: PathIdentifier, concern_id: PathIdentifier, uow: Work
) -> dict[str, object]:
    """Mark the concern handled (program admins)."""
    return as_read(await concerns.mark_handled(uow, program_id=program_id, concern_id=concern_id))
