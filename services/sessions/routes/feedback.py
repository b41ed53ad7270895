"""Feedback on a meeting."""

from __future__ import annotations

from fastapi import APIRouter

from services.sessions import feedback
from services.sessions.deps import MEMBER, Work, member_write
from services.sessions.domain.feedback import Feedback
from services.sessions.schemas import FeedbackCreate, FeedbackRead
from shared.inputs import PathIdentifier

router = APIRouter(tags=["meetings"])


@router.post("/meetings/{meeting_id}/feedback", **member_write(FeedbackRead, status_code=201))
async def give_feedback(meeting_id: PathIdentifier, body: FeedbackCreate, uow: Work) -> Feedback:
    return await feedback.give(uow, meeting_id=meeting_id, **dict(body))


@router.get(
    "/meetings/{meeting_id}/feedback", response_model=list[FeedbackRead], dependencies=[MEMBER]
)
async def read_feedback(meeting_id: PathIdentifier, uow: Work) -> list[Feedback]:
    """Own feedback always; others' once all attendees submitted (if the program shares it)."""
    return await feedback.visible(uow, meeting_id=meeting_id)
