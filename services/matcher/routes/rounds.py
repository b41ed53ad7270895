"""Matching rounds: preview a draft, adjust it, read its proposals, publish it."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.matcher import rounds
from services.matcher.deps import ADMIN, Paging, Work
from services.matcher.routes.reads import as_page, as_read
from services.matcher.schemas import ProposalRead, RoundAdjust, RoundRead
from shared.api import CONFLICT, THROTTLED, Page, unprocessable
from shared.inputs import PathIdentifier
from shared.limits import rate_limited

router = APIRouter(tags=["rounds"], dependencies=[ADMIN])

#: Solving is the expensive call: a few per minute per admin is plenty.
SOLVES = rate_limited("round solve", per_minute=10, burst=5)


@router.post(
    "/programs/{program_id}/rounds",
    status_code=status.HTTP_201_CREATED,
    response_model=RoundRead,
    summary="Preview a round: solve a draft over the current pool (nothing is published).",
    responses={**CONFLICT, **THROTTLED},
    dependencies=[SOLVES],
)
async def preview_round(program_id: PathIdentifier, uow: Work) -> dict[str, object]:
    return as_read(await rounds.preview_round(uow, program_id=program_id))


@router.get("/rounds/{round_id}", response_model=RoundRead)
async def get_round(round_id: PathIdentifier, uow: Work) -> dict[str, object]:
    return as_read(await rounds.get_round(uow, round_id=round_id))


@router.get("/rounds/{round_id}/proposals", response_model=Page[ProposalRead])
async def list_proposals(round_id: PathIdentifier, uow: Work, page: Paging) -> dict[str, object]:
    found = await rounds.list_proposals(uow, round_id=round_id, page=page)
    return as_page(found, page)


@router.post(
    "/rounds/{round_id}/adjustments",
    response_model=RoundRead,
    responses={**CONFLICT, **THROTTLED},
    dependencies=[SOLVES],
)
async def adjust_round(round_id: PathIdentifier, body: RoundAdjust, uow: Work) -> dict[str, object]:
    """Lock or forbid pairs, or swap two mentees' mentors, then re-solve the draft."""
    try:
        doc = await rounds.adjust_round(
            uow,
            round_id=round_id,
            lock=[(p.first, p.second) for p in body.lock],
            forbid=[(p.first, p.second) for p in body.forbid],
            swap=[(p.first, p.second) for p in body.swap],
        )
    except rounds.AdjustmentError as exc:
        raise unprocessable("lock", str(exc)) from exc
    return as_read(doc)


@router.post("/rounds/{round_id}/publish", response_model=RoundRead, responses=CONFLICT)
async def publish_round(round_id: PathIdentifier, uow: Work) -> dict[str, object]:
    """Propose every match of the draft (``mentoring.match.proposed``); idempotent. A
    closed program, or a stale draft (someone in it is no longer in the pool): 409."""
    return as_read(await rounds.publish_round(uow, round_id=round_id))
