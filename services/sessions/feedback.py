"""Feedback on a meeting: given by its attendees, shown as the program allows.

Visibility is decided by the domain (``feedback_visible_to``): these functions never
hand another person's private text to a reader.
"""

from __future__ import annotations

from typing import Any

from services.sessions import health
from services.sessions.deps import caller_of, participants_meeting
from services.sessions.domain.feedback import (
    Feedback,
    FeedbackSharing,
    feedback_visible_to,
    submit_feedback,
)
from services.sessions.mapping import from_doc, key_of, stored
from services.sessions.meetings import load_meeting
from services.sessions.outgoing import stage
from services.sessions.unit_of_work import Work


async def _sharing(uow: Work, program_id: str) -> FeedbackSharing:
    program = await uow.store.program(program_id) or {}
    shared = program.get("feedback_visible_to_peers", True)
    return FeedbackSharing.AFTER_ALL_SUBMITTED if shared else FeedbackSharing.NEVER


async def give(uow: Work, *, meeting_id: str, **given: Any) -> Feedback:
    """The caller's feedback on a meeting they attended (once): ``given`` holds what
    ``submit_feedback`` takes (rating, was_useful, comment)."""
    author_id = caller_of(uow).subject
    meeting = load_meeting(await participants_meeting(uow, meeting_id))
    existing = [from_doc(Feedback, d) for d in await uow.store.feedback_on(meeting_id)]
    outcome = submit_feedback(meeting, existing, author_id=author_id, now=uow.now, **given)
    doc = stored(outcome.state, _id=key_of(meeting_id, author_id))
    await uow.store.feedback.insert(stage(uow, doc, outcome.events))
    await health.refresh(uow, relationship_id=meeting.relationship_id)
    return outcome.state


async def visible(uow: Work, *, meeting_id: str) -> list[Feedback]:
    """Own feedback always; others' once all attendees submitted (if the program shares it)."""
    meeting = load_meeting(await participants_meeting(uow, meeting_id))
    all_feedback = [from_doc(Feedback, d) for d in await uow.store.feedback_on(meeting_id)]
    sharing = await _sharing(uow, meeting.program_id)
    viewer = caller_of(uow).subject
    return feedback_visible_to(meeting, all_feedback, viewer_id=viewer, sharing=sharing)
