"""Meeting feedback and time spent.

Each participant rates a completed meeting once (1-5, was it useful, free text).
Others' feedback stays hidden until every participant has submitted, or forever
when the program says feedback is never shared. Events carry ids only: no rating,
no text, so a consumer cannot learn what someone said about their partner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from shared.local_time import require_utc

from .errors import IllegalTransition, InvalidInput
from .events import DomainEvent, EventType, Outcome
from .meetings import Meeting, MeetingStatus
from .relationships import Relationship

__all__ = [
    "FeedbackSharing",
    "Feedback",
    "TimeLog",
    "submit_feedback",
    "feedback_visible_to",
    "log_time_spent",
    "total_minutes",
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


@dataclass(frozen=True)
class TimeLog:
    """Minutes a member spent on the relationship (meeting, preparation, follow-up)."""

    id: str
    relationship_id: str
    person_id: str
    minutes: int
    spent_on: date
    meeting_id: str | None = None


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


def log_time_spent(
    relationship: Relationship,
    *,
    log_id: str,
    person_id: str,
    minutes: int,
    spent_on: date,
    now: datetime,
    meeting_id: str | None = None,
) -> Outcome[TimeLog]:
    """Log minutes spent; not in the future, and at most a day's worth per entry."""
    now = require_utc(now, "now")
    relationship.member(person_id)
    if not 1 <= minutes <= 24 * 60:
        raise InvalidInput("time spent is between 1 minute and 24 hours per entry")
    if spent_on > now.date() + timedelta(days=1):  # a day of slack for zones ahead of UTC
        raise InvalidInput("time cannot be logged for a future day")
    log = TimeLog(log_id, relationship.id, person_id, minutes, spent_on, meeting_id)
    event = DomainEvent(
        type=EventType.TIME_LOGGED,
        subject_id=relationship.id,
        occurred_at=now,
        data={
            "log_id": log_id,
            "relationship_id": relationship.id,
            "program_id": relationship.program_id,
            "person_id": person_id,
            "meeting_id": meeting_id,
            "minutes": minutes,
            "spent_on": spent_on.isoformat(),
        },
    )
    return Outcome(log, (event,))


def total_minutes(logs: Sequence[TimeLog], *, person_id: str | None = None) -> int:
    """Sum of minutes logged, for one person or everyone."""
    return sum(log.minutes for log in logs if person_id is None or log.person_id == person_id)
