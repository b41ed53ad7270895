"""The junior's private pulse check in reverse mentoring (its models live here)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.sessions import pulses
from services.sessions.deps import MEMBER, READER, Work
from services.sessions.domain.pulses import Pulse, PulseAnswer
from services.sessions.schemas import Rating
from shared.api import CONFLICT
from shared.inputs import PathIdentifier, StrictBody, Text

router = APIRouter(prefix="/pulses", tags=["relationships"])

NOT_YOURS = {404: {"description": "No such pulse check of yours."}}


class PulseAnswerCreate(StrictBody):
    comfort: Rating = Field(description="How comfortable the mentoring feels, 1-5.")
    psychological_safety: Rating = Field(description="How safe it feels to speak up, 1-5.")
    would_continue: bool
    note: Annotated[Text, Field(max_length=2000)] = Field(
        default="", description="Private to you: never shown to anyone else."
    )


class PulseAnswerRead(BaseModel):
    comfort: int
    psychological_safety: int
    would_continue: bool
    note: str


class PulseRead(BaseModel):
    id: str
    relationship_id: str
    program_id: str
    after_meeting: int
    requested_at: datetime
    status: str
    answer: PulseAnswerRead | None
    answered_at: datetime | None


@router.get("/mine", response_model=list[PulseRead], dependencies=[MEMBER])
async def my_pulses(uow: Work) -> list[Pulse]:
    """The caller's own pulse checks, open and answered (newest first)."""
    return await pulses.mine(uow)


@router.get("/{pulse_id}", response_model=PulseRead, dependencies=[READER], responses=NOT_YOURS)
async def my_pulse(pulse_id: PathIdentifier, uow: Work) -> Pulse:
    """One of the caller's pulse checks; anyone else's does not exist (404)."""
    return pulses.load_pulse(await pulses.own_pulse(uow, pulse_id))


@router.post(
    "/{pulse_id}/answer",
    status_code=201,
    response_model=PulseRead,
    dependencies=[READER],
    responses={**NOT_YOURS, **CONFLICT},
)
async def answer_pulse(pulse_id: PathIdentifier, body: PulseAnswerCreate, uow: Work) -> Pulse:
    """The junior's answer, once (a second one is 409). Only they may read or answer it:
    the senior member, other people and the program's admins get 404."""
    return await pulses.answer(uow, pulse_id=pulse_id, answer=PulseAnswer(**dict(body)))
