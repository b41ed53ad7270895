"""Feedback on a meeting."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.sessions import feedback
from services.sessions.deps import MEMBER, Work
from services.sessions.schemas import FeedbackCreate, FeedbackRead
from shared.api import CONFLICT
from shared.inputs import PathIdentifier

router = APIRouter(tags=["meetings"])


@router.post(
    "/meetings/{meeting_id}/feedback",
    response_model=FeedbackRead,
    status_code=201,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def give_feedback(
    meeting_id: PathIdentifier, body: FeedbackCreate, uow: Work
) -> dict[str, Any]:
    given = await feedback.give(
        uow,
        meeting_id=meeting_id,
        rating=body.rating,
        was_useful=body.was_useful,
        comment=body.comment,
    )
    return feedback.feedback_read(given)


@router.get(
    "/meetings/{meeting_id}/feedback", response_model=list[FeedbackRead], dependencies=[MEMBER]
)
async def read_feedback(meeting_id: PathIdentifier, uow: Work) -> list[dict[str, Any]]:
    """Own feedback always; others' once all attendees submitted (if the program shares it)."""
    return [feedback.feedback_read(f) for f in await feedback.visible(uow, meeting_id=meeting_id)]
