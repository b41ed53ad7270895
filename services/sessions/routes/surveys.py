"""The closing survey of an ended relationship (its models live here)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.sessions import surveys
from services.sessions.deps import MEMBER, Work, member_write
from services.sessions.domain.surveys import GoalsMet, SurveyAnswer
from services.sessions.schemas import Rating
from shared.inputs import PathIdentifier, StrictBody, Text

router = APIRouter(prefix="/relationships", tags=["relationships"])


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


@router.post("/{relationship_id}/survey", **member_write(SurveyAnswerRead, status_code=201))
async def answer_survey(
    relationship_id: PathIdentifier, body: SurveyAnswerCreate, uow: Work
) -> SurveyAnswer:
    """A member's closing survey of their ended relationship, once (409 before the end
    or a second time)."""
    return await surveys.answer(uow, relationship_id=relationship_id, **dict(body))


@router.get("/{relationship_id}/survey", response_model=SurveyAnswerRead, dependencies=[MEMBER])
async def own_survey_answer(relationship_id: PathIdentifier, uow: Work) -> SurveyAnswer:
    """The caller's own answer (404 if they have none)."""
    return await surveys.own(uow, relationship_id=relationship_id)
