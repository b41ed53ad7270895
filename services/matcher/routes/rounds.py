"""Matching rounds: preview a draft, adjust it, read its proposals, publish it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from services.matcher import rounds
from services.matcher.deps import ADMIN, Caller, RuntimeDep, StoreDep, administered_program
from services.matcher.schemas import ProposalRead, RoundAdjust, RoundRead
from services.matcher.store import PROPOSALS
from shared import audit
from shared.api import CONFLICT, THROTTLED, Page, PageParams, page_params, unprocessable
from shared.limits import rate_limited
from shared.mongo import Document

router = APIRouter(tags=["rounds"], dependencies=[ADMIN])

#: Solving is the expensive call: a few per minute per admin is plenty.
SOLVES = rate_limited("round solve", per_minute=10, burst=5)


def round_read(doc: Document) -> dict[str, object]:
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if not k.startswith("_")}}


@router.post(
    "/programs/{program_id}/rounds",
    status_code=status.HTTP_201_CREATED,
    response_model=RoundRead,
    summary="Preview a round: solve a draft over the current pool (nothing is published).",
    responses={**CONFLICT, **THROTTLED},
    dependencies=[SOLVES],
)
async def preview_round(program_id: str, store: StoreDep, caller: Caller) -> dict[str, object]:
    await administered_program(store, program_id, caller)
    try:
        doc = await rounds.preview_round(store, program_id=program_id, now=datetime.now(UTC))
    except rounds.RoundRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    await audit.record(
        store.db,
        actor=caller,
        action="round.previewed",
        target=program_id,
        details={"round_id": doc["_id"], "proposals": doc["proposal_count"]},
    )
    return round_read(doc)


@router.get("/rounds/{round_id}", response_model=RoundRead)
async def get_round(round_id: str, store: StoreDep, caller: Caller) -> dict[str, object]:
    return round_read(await _administered_round(store, round_id, caller))


async def _administered_round(store: StoreDep, round_id: str, caller: Caller) -> Document:
    doc = await store.rounds.require(round_id)
    await administered_program(store, doc["program_id"], caller)
    return doc


@router.get("/rounds/{round_id}/proposals", response_model=Page[ProposalRead])
async def list_proposals(
    round_id: str,
    store: StoreDep,
    caller: Caller,
    page: Annotated[PageParams, Depends(page_params)],
) -> dict[str, object]:
    await _administered_round(store, round_id, caller)
    query = {"round_id": round_id}
    total = await store.db[PROPOSALS].count_documents(query)
    docs = (
        await store.db[PROPOSALS]
        .find(query)
        .sort("index", 1)
        .skip(page.offset)
        .limit(page.limit)
        .to_list()
    )
    return {"items": docs, "total": total, "limit": page.limit, "offset": page.offset}


@router.post(
    "/rounds/{round_id}/adjustments",
    response_model=RoundRead,
    responses={**CONFLICT, **THROTTLED},
    dependencies=[SOLVES],
)
async def adjust_round(
    round_id: str, body: RoundAdjust, store: StoreDep, caller: Caller
) -> dict[str, object]:
    """Lock or forbid pairs, or swap two mentees' mentors, then re-solve the draft."""
    await _administered_round(store, round_id, caller)
    try:
        doc = await rounds.adjust_round(
            store,
            round_id=round_id,
            lock=[(p.first, p.second) for p in body.lock],
            forbid=[(p.first, p.second) for p in body.forbid],
            swap=[(p.first, p.second) for p in body.swap],
            now=datetime.now(UTC),
        )
    except rounds.RoundRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except rounds.AdjustmentError as exc:
        raise unprocessable("lock", str(exc)) from exc
    await audit.record(
        store.db,
        actor=caller,
        action="round.adjusted",
        target=doc["program_id"],
        details={"round_id": round_id, **body.model_dump(mode="json")},
    )
    return round_read(doc)


@router.post("/rounds/{round_id}/publish", response_model=RoundRead)
async def publish_round(
    round_id: str, store: StoreDep, runtime: RuntimeDep, caller: Caller
) -> dict[str, object]:
    """Propose every match of the draft (``mentoring.match.proposed``); idempotent."""
    await _administered_round(store, round_id, caller)
    doc = await rounds.publish_round(
        store, round_id=round_id, source=runtime.settings.source, now=datetime.now(UTC)
    )
    runtime.nudge_outbox()
    await audit.record(
        store.db,
        actor=caller,
        action="round.published",
        target=doc["program_id"],
        details={"round_id": round_id, "proposals": doc["proposal_count"]},
    )
    return round_read(doc)
