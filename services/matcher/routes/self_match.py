"""Self-match: ranked suggestions for the caller, and partner requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from services.matcher import self_match
from services.matcher.deps import PARTICIPANT, Work
from services.matcher.routes.reads import as_read
from services.matcher.schemas import ExplanationRead, MatchRead
from shared.api import CONFLICT
from shared.inputs import Identifier, PathIdentifier, StrictBody

router = APIRouter(prefix="/programs/{program_id}", tags=["self-match"], dependencies=[PARTICIPANT])


class SuggestionRead(BaseModel):
    person_id: str
    role: str
    explanation: ExplanationRead


class PartnerRequest(StrictBody):
    partner_id: Identifier


@router.get("/suggestions", response_model=list[SuggestionRead], responses=CONFLICT)
async def suggestions(
    program_id: PathIdentifier,
    uow: Work,
    limit: Annotated[int, Query(ge=1, le=self_match.MAX_SUGGESTIONS)] = 10,
) -> list[dict[str, object]]:
    """Partners the caller may request, best first, each with its explanation."""
    return await self_match.suggestions(uow, program_id=program_id, limit=limit)


@router.post(
    "/requests", status_code=status.HTTP_201_CREATED, response_model=MatchRead, responses=CONFLICT
)
async def request_partner(
    program_id: PathIdentifier, body: PartnerRequest, uow: Work
) -> dict[str, object]:
    """Request a partner: a proposal the caller already accepted; the partner answers."""
    doc = await self_match.request_partner(uow, program_id=program_id, partner=body.partner_id)
    return as_read(doc)
