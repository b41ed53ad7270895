"""Time spent in a relationship."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from services.sessions import time_log
from services.sessions.dates import Day
from services.sessions.deps import MEMBER, Work, caller_of
from shared.api import CONFLICT, IdempotencyKey, id_for
from shared.inputs import Identifier, PathIdentifier, StrictBody

router = APIRouter(prefix="/relationships", tags=["relationships"])


class TimeLogCreate(StrictBody):
    minutes: int = Field(ge=1, le=1440)
    spent_on: Day
    meeting_id: Identifier | None = Field(default=None, description="A meeting of it (else 404).")


class TimeLogRead(BaseModel):
    id: str
    minutes: int
    spent_on: date


class TimeSpentRead(BaseModel):
    relationship_id: str
    total_minutes: int
    minutes_by_person: dict[str, int]


@router.post(
    "/{relationship_id}/time-logs",
    status_code=status.HTTP_201_CREATED,
    response_model=TimeLogRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def log_time(
    relationship_id: PathIdentifier,
    body: TimeLogCreate,
    uow: Work,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    doc = await time_log.log(
        uow,
        log_id=id_for(idempotency_key, f"time:{caller_of(uow).subject}"),
        relationship_id=relationship_id,
        minutes=body.minutes,
        spent_on=body.spent_on,
        meeting_id=body.meeting_id,
    )
    return {"id": doc["_id"], "minutes": doc["minutes"], "spent_on": doc["spent_on"]}


@router.get("/{relationship_id}/time-spent", response_model=TimeSpentRead, dependencies=[MEMBER])
async def time_spent(relationship_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    return await time_log.spent(uow, relationship_id=relationship_id)
