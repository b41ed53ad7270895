"""Meeting feedback.

Each participant rates a completed meeting once (1-5, was it useful, free text).
Others' feedback stays hidden until every participant has submitted, or forever
when the program says feedback is never shared. Events carry ids only: no rating,
no text, so a consumer cannot learn what someone said about their partner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.local_time import require_utc

from .errors import IllegalTransition, InvalidInput
from .events import DomainEvent, EventType, Outcome
from .meetings import Meeting, MeetingStatus

__all__ = [
    "FeedbackSharing",
    "Feedback",
    "submit_feedback",
    "feedback_visible_to",
]

MAX_COMMENT_LENGTH = 4_000


class FeedbackSharing(StrEnum):
    """Program setting: when may a member read the other side's feedback."""

    AFTER_ALL_SUBMITTED = "after_all_submitted"
    NEVER = "never"


@dataclass(frozen=True)
class Feedback:
    meeting_id: str
    relationship_id: str
    author_id: str
    rating: int  # 1..5
    was_useful: bool
    comment: str
    submitted_at: datetime


def submit_feedback(
    meeting: Meeting,
    existing: Sequence[Feedback],
    *,
    author_id: str,
    rating: int,
    was_useful: bool,
    comment: str = "",
    now: datetime,
) -> Outcome[Feedback]:
    """Record one participant's feedback on a completed meeting (once per person)."""
    now = require_utc(now, "now")
    meeting.require_participant(author_id)
    if meeting.status is not MeetingStatus.COMPLETED:
        raise IllegalTransition(
            f"feedback is for completed meetings; this meeting is {meeting.status}"
        )
    if any(f.meeting_id == meeting.id and f.author_id == author_id for f in existing):
        raise IllegalTransition("feedback for this meeting was already submitted")
    if isinstance(rating, bool) or not 1 <= rating <= 5:
        raise InvalidInput("the rating must be a whole number from 1 to 5")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(f"the comment is limited to {MAX_COMMENT_LENGTH} characters")
    feedback = Feedback(
        meeting_id=meeting.id,
        relationship_id=meeting.relationship_id,
        author_id=author_id,
        rating=rating,
        was_useful=was_useful,
        comment=comment,
        submitted_at=now,
    )
    submitted = {f.author_id for f in existing if f.meeting_id == meeting.id} | {author_id}
    event = DomainEvent(
        type=EventType.FEEDBACK_SUBMITTED,
        subject_id=meeting.id,
        occurred_at=now,
        data={
            "meeting_id": meeting.id,
            "relationship_id": meeting.relationship_id,
            "program_id": meeting.program_id,
            "author_id": author_id,
            "all_submitted": submitted >= _expected_authors(meeting),
        },
    )
    return Outcome(feedback, (event,))


def feedback_visible_to(
    meeting: Meeting,
    feedback: Sequence[Feedback],
    *,
    viewer_id: str,
    sharing: FeedbackSharing,
) -> list[Feedback]:
    """The feedback on `meeting` that `viewer_id` may read.

    Always their own; others' only when everyone who attended has submitted (in a
    pair: both sides) and the program shares feedback.
    """
    meeting.require_participant(viewer_id)
    mine = [f for f in feedback if f.meeting_id == meeting.id]
    own = [f for f in mine if f.author_id == viewer_id]
    if sharing is FeedbackSharing.NEVER:
        return own
    authors = {f.author_id for f in mine}
    if not authors >= _expected_authors(meeting):
        return own
    return sorted(mine, key=lambda f: (f.author_id != viewer_id, f.submitted_at))


def _expected_authors(meeting: Meeting) -> set[str]:
    """Who must submit before feedback is revealed: the attendees (all participants if unknown)."""
    return set(meeting.attended_ids or meeting.participant_ids)
