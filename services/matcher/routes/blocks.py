"""Blocks: the caller blocks a person, lists their blocks, lifts one. Only the blocker
ever sees a block."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from services.matcher import blocks
from services.matcher.deps import PARTICIPANT, Paging, Work
from services.matcher.routes.reads import as_page
from shared.api import Page
from shared.inputs import Identifier, PathIdentifier, StrictBody

router = APIRouter(prefix="/people/me/blocks", tags=["safety"], dependencies=[PARTICIPANT])


class BlockCreate(StrictBody):
    person_id: Identifier


class BlockRead(BaseModel):
    person_id: str
    blocked_at: datetime


def _block_read(doc: dict[str, Any]) -> dict[str, object]:
    return {"person_id": doc["blocked_id"], "blocked_at": doc["created_at"]}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BlockRead)
async def block_person(body: BlockCreate, uow: Work) -> dict[str, object]:
    """Block a person: you are never matched again, in any program, and a live match
    between you ends (the other person is not told why)."""
    return _block_read(await blocks.block_person(uow, person_id=body.person_id))


@router.get("", response_model=Page[BlockRead])
async def list_blocks(uow: Work, page: Paging) -> dict[str, object]:
    """Your blocks in force, newest first."""
    return as_page(await blocks.list_blocks(uow, page=page), page, _block_read)


@router.delete("/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unblock_person(person_id: PathIdentifier, uow: Work) -> Response:
    """Lift your block: later rounds may match you again (matches it ended stay ended)."""
    await blocks.unblock_person(uow, person_id=person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
