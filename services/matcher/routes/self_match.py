"""Self-match: ranked suggestions for the caller, and partner requests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from services.matcher import self_match
from services.matcher.deps import PARTICIPANT, Caller, RuntimeDep, StoreDep
from services.matcher.routes.matches import match_read
from services.matcher.schemas import ExplanationRead, MatchRead
from shared.api import CONFLICT

router = APIRouter(prefix="/programs/{program_id}", tags=["self-match"], dependencies=[PARTICIPANT])


class SuggestionRead(BaseModel):
    person_id: str
    role: str
    explanation: ExplanationRead


class PartnerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner_id: str = Field(min_length=1, max_length=100)


@router.get("/suggestions", response_model=list[SuggestionRead], responses=CONFLICT)
async def suggestions(
    program_id: str,
    caller: Caller,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=self_match.MAX_SUGGESTIONS)] = 10,
) -> list[dict[str, object]]:
    """Partners the caller may request, best first, each with its explanation."""
    try:
        return await self_match.suggestions(
            store,
            program_id=program_id,
            person_id=caller.subject,
            now=datetime.now(UTC),
            limit=limit,
        )
    except self_match.SelfMatchRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


@router.post(
    "/requests", status_code=status.HTTP_201_CREATED, response_model=MatchRead, responses=CONFLICT
)
async def request_partner(
    program_id: str, body: PartnerRequest, caller: Caller, store: StoreDep, runtime: RuntimeDep
) -> dict[str, object]:
    """Request a partner: a proposal the caller already accepted; the partner answers."""
    try:
        doc = await self_match.request_partner(
            store,
            program_id=program_id,
            requester=caller.subject,
            partner=body.partner_id,
            source=runtime.settings.source,
            now=datetime.now(UTC),
        )
    except self_match.SelfMatchRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    runtime.nudge_outbox()
    return match_read(doc)
