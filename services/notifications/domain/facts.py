"""Input facts: what other services announced, reduced to what the notifier needs.

The Kafka adapter translates shared contract events into these dataclasses. Every
fact carries `occurred_at` (the event time, UTC): immediate notices are due at that
instant, which keeps their de-duplication keys identical when an event is replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shared.errors import InvalidInput
from shared.local_time import require_utc

__all__ = [
    "MatchProposed",
    "MatchResponded",
    "MatchClosed",
    "MatchEnded",
    "MatchResumed",
    "NextSuggestion",
    "MatchActivated",
    "MeetingScheduled",
    "MeetingRescheduled",
    "MeetingCancelled",
    "HealthChanged",
    "ActionItemOverdue",
    "ActionItemClosed",
    "SurveyRequested",
    "PulseRequested",
    "Fact",
]


def _members(ids: tuple[str, ...]) -> tuple[str, ...]:
    if not ids:
        raise InvalidInput("member_ids must not be empty")
    return tuple(dict.fromkeys(ids))  # de-duplicated, order kept


class _Fact:
    """Normalises every datetime field to UTC and de-duplicates member ids."""

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, datetime):
                object.__setattr__(self, name, require_utc(value, name))
        members = getattr(self, "member_ids", None)
        if members is not None:
            object.__setattr__(self, "member_ids", _members(tuple(members)))
        starts, ends = getattr(self, "starts_at", None), getattr(self, "ends_at", None)
        if isinstance(starts, datetime) and isinstance(ends, datetime) and ends <= starts:
            raise InvalidInput("ends_at must be after starts_at")


@dataclass(frozen=True)
class MatchProposed(_Fact):
    """A match was proposed; each member must accept or decline before `expires_at`."""

    match_id: str
    member_ids: tuple[str, ...]
    expires_at: datetime
    occurred_at: datetime
    program_id: str | None = None


@dataclass(frozen=True)
class MatchResponded(_Fact):
    """One member accepted or declined; their expiry reminder is no longer needed."""

    match_id: str
    member_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class MatchClosed(_Fact):
    """A proposal was declined, expired or withdrawn without becoming a relationship."""

    match_id: str
    member_ids: tuple[str, ...]
    outcome: str
    occurred_at: datetime


@dataclass(frozen=True)
class MatchEnded(MatchClosed):
    """A match ended (``outcome`` is its reason code): its pending proposal items go and
    the members in ``told`` are told why (the others learn it another way: a member
    who ended the relationship needs no telling)."""

    told: tuple[str, ...] = ()
    program_id: str | None = None


@dataclass(frozen=True)
class MatchResumed(_Fact):
    """An admin kept a flagged match: the relationship goes on."""

    match_id: str
    member_ids: tuple[str, ...]
    occurred_at: datetime
    program_id: str | None = None


@dataclass(frozen=True)
class NextSuggestion(_Fact):
    """A self-match request (``match_id``) expired or was declined: its requester is
    offered the next person to ask."""

    match_id: str
    program_id: str
    requester_id: str
    suggested_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class MatchActivated(_Fact):
    """Both sides accepted, or the admins `assigned` the match: introduce them;
    `explanation_codes` say why they were matched."""

    match_id: str
    relationship_id: str
    member_ids: tuple[str, ...]
    occurred_at: datetime
    explanation_codes: tuple[str, ...] = ()
    program_id: str | None = None
    assigned: bool = False


@dataclass(frozen=True)
class _MeetingFact(_Fact):
    """What every version of a meeting says: who meets when, as iCalendar SEQUENCE."""

    meeting_id: str
    relationship_id: str
    member_ids: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    sequence: int
    occurred_at: datetime


@dataclass(frozen=True)
class MeetingScheduled(_MeetingFact):
    """A meeting was booked. `sequence` is the iCalendar SEQUENCE of this version."""


@dataclass(frozen=True)
class MeetingRescheduled(_MeetingFact):
    """A meeting moved; the fields describe the new version (sequence increased)."""

    previous_starts_at: datetime | None = None


@dataclass(frozen=True)
class MeetingCancelled(_MeetingFact):
    """A meeting was called off."""

    cancelled_by: str | None = None


@dataclass(frozen=True)
class HealthChanged(_Fact):
    """A relationship's health state changed (e.g. healthy -> at_risk -> stalled)."""

    relationship_id: str
    member_ids: tuple[str, ...]
    previous_state: str
    state: str
    occurred_at: datetime
    program_id: str | None = None
    reason_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionItemOverdue(_Fact):
    """An action item passed its due date without being completed."""

    action_item_id: str
    relationship_id: str
    owner_id: str
    due_on: date
    occurred_at: datetime


@dataclass(frozen=True)
class ActionItemClosed(_Fact):
    """An action item was completed or dropped; any pending overdue notice is stale."""

    action_item_id: str
    owner_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class SurveyRequested(_Fact):
    """A relationship ended: each member is asked for the closing survey."""

    relationship_id: str
    member_ids: tuple[str, ...]
    occurred_at: datetime
    program_id: str | None = None


@dataclass(frozen=True)
class PulseRequested(_Fact):
    """The junior member of a reverse-mentoring relationship is asked for a private
    pulse check: they alone are prompted."""

    pulse_id: str
    relationship_id: str
    person_id: str
    occurred_at: datetime
    program_id: str | None = None


Fact = (
    MatchProposed
    | MatchResponded
    | MatchClosed
    | MatchEnded
    | MatchResumed
    | NextSuggestion
    | MatchActivated
    | MeetingScheduled
    | MeetingRescheduled
    | MeetingCancelled
    | HealthChanged
    | ActionItemOverdue
    | ActionItemClosed
    | SurveyRequested
    | PulseRequested
)
