"""A participant confirms they will attend a scheduled meeting (an RSVP, kept on the
meeting for its participants to see; a reschedule clears it, as a new time asks anew).

It announces nothing: whether someone said yes is the participants' business, and
whether they came is recorded when the meeting is completed (``attended_ids``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from shared.local_time import require_utc

from .errors import IllegalTransition
from .events import Outcome
from .meetings import Meeting, MeetingStatus

__all__ = ["confirm_attendance"]


def confirm_attendance(meeting: Meeting, *, person_id: str, now: datetime) -> Outcome[Meeting]:
    """Record ``person_id``'s confirmation; confirming again changes nothing."""
    now = require_utc(now, "now")
    meeting.require_participant(person_id)
    if meeting.status is not MeetingStatus.SCHEDULED:
        raise IllegalTransition(
            f"a {meeting.status.replace('_', '-')} meeting cannot be confirmed; "
            "only a scheduled meeting can"
        )
    if person_id in meeting.confirmed_ids:
        return Outcome(meeting)
    confirmed = meeting.confirmed_ids | {person_id}
    return Outcome(replace(meeting, confirmed_ids=confirmed, updated_at=now))
