"""The closing survey of an ended relationship (its models live here)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.sessions import surveys
from services.sessions.deps import MEMBER, Work
from services.sessions.domain.surveys import GoalsMet
from shared.api import CONFLICT
from shared.inputs import PathIdentifier, StrictBody, Text

router = APIRouter(prefix="/relationships", tags=["relationships"])

Rating = Annotated[int, Field(ge=1, le=5)]


class SurveyAnswerCreate(StrictBody):
    overall: Rating = Field(description="The relationship as a whole, 1-5.")
    partner_helpfulness: Rating = Field(description="The mentor, mentee or partner(s), 1-5.")
    goals_met: GoalsMet
    would_recommend: bool
    would_continue: bool
    private_note: Annotated[Text, Field(max_length=4000)] = Field(
        default="", description="Private to its author: never shown to anyone else."
    )


class SurveyAnswerRead(BaseModel):
    relationship_id: str
    person_id: str
    overall: int
    partner_helpfulness: int
    goals_met: GoalsMet
    would_recommend: bool
    would_continue: bool
    private_note: str
    answered_at: datetime


@router.post(
    "/{relationship_id}/survey",
    response_model=SurveyAnswerRead,
    status_code=201,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def answer_survey(
    relationship_id: PathIdentifier, body: SurveyAnswerCreate, uow: Work
) -> dict[str, Any]:
    """A member's closing survey of their ended relationship, once (409 before the end
    or a second time)."""
    given = await surveys.answer(
        uow,
        relationship_id=relationship_id,
        overall=body.overall,
        partner_helpfulness=body.partner_helpfulness,
        goals_met=body.goals_met,
        would_recommend=body.would_recommend,
        would_continue=body.would_continue,
        private_note=body.private_note,
    )
    return surveys.survey_read(given)


@router.get("/{relationship_id}/survey", response_model=SurveyAnswerRead, dependencies=[MEMBER])
async def own_survey_answer(relationship_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    """The caller's own answer (404 if they have none)."""
    return surveys.survey_read(await surveys.own(uow, relationship_id=relationship_id))
