"""Time spent in a relationship."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.sessions import time_log
from services.sessions.dates import Day
from services.sessions.deps import MEMBER, NewIn, Work, in_relationship, member_write
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


@router.post("/{relationship_id}/time-logs", **member_write(TimeLogRead, status_code=201))
async def log_time(
    body: TimeLogCreate,
    uow: Work,
    new: Annotated[NewIn, in_relationship("time")],
) -> dict[str, Any]:
    doc = await time_log.log(uow, log_id=new.id, relationship_id=new.relationship_id, **dict(body))
    return {"id": doc["_id"], "minutes": doc["minutes"], "spent_on": doc["spent_on"]}


@router.get("/{relationship_id}/time-spent", response_model=TimeSpentRead, dependencies=[MEMBER])
async def time_spent(relationship_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    return await time_log.spent(uow, relationship_id=relationship_id)
