"""Relationships: an activated match becomes a pair or a circle that meets on a cadence.

Lifecycle: active <-> paused (match flagged), active/paused -> ended. Ending is final.
Transition functions are pure: they take `now`, return an `Outcome` with the new
state and the events to store in the outbox, and raise `IllegalTransition` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from shared.local_time import require_utc, zone

from .errors import IllegalTransition, InvalidInput, NotAMember
from .events import DomainEvent, EventType, EventValue, Outcome, relationship_event

__all__ = [
    "RelationshipKind",
    "MemberRole",
    "RelationshipStatus",
    "EndReason",
    "SURVEYED",
    "Member",
    "Relationship",
    "start_relationship",
    "pause_relationship",
    "resume_relationship",
    "end_relationship",
]


class RelationshipKind(StrEnum):
    REVERSE_MENTORING = "reverse_mentoring"  # a pair: mentor + mentee
    PEER_COACHING = "peer_coaching"  # a pair of peers
    PEER_GROUP = "peer_group"  # a circle: facilitator(s) + participants
    FLASH = "flash"  # a one-off booking: two peers, one meeting, no rhythm (domain/flash.py)


class MemberRole(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    PEER = "peer"
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"


class RelationshipStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class EndReason(StrEnum):
    """Why a relationship ended. Only codes travel in events; free text stays here."""

    COMPLETED = "completed"  # the program completed; a closing survey follows
    MATCH_ENDED = "match_ended"  # the matcher ended the match
    MEMBER_DEPARTED = "member_departed"  # a member left the organisation
    ENDED_EARLY = "ended_early"  # a member chose to end it; a closing survey follows
    MEETING_OVER = "meeting_over"  # a flash booking's one meeting was held or missed
    MEETING_CANCELLED = "meeting_cancelled"  # a flash booking's one meeting was cancelled


#: The end reasons that ask every member for a closing survey.
SURVEYED = frozenset({EndReason.COMPLETED, EndReason.ENDED_EARLY})


_ROLES_BY_KIND: dict[RelationshipKind, frozenset[MemberRole]] = {
    RelationshipKind.REVERSE_MENTORING: frozenset({MemberRole.MENTOR, MemberRole.MENTEE}),
    RelationshipKind.PEER_COACHING: frozenset({MemberRole.PEER}),
    RelationshipKind.PEER_GROUP: frozenset({MemberRole.FACILITATOR, MemberRole.PARTICIPANT}),
    RelationshipKind.FLASH: frozenset({MemberRole.PEER}),
}


@dataclass(frozen=True)
class Member:
    person_id: str
    role: MemberRole
    time_zone: str = "UTC"


@dataclass(frozen=True)
class Relationship:
    """A pair or circle inside a program. `cadence_days` is the expected meeting interval."""

    id: str
    program_id: str
    match_id: str
    kind: RelationshipKind
    members: tuple[Member, ...]
    started_on: date
    planned_end_on: date
    cadence_days: int
    status: RelationshipStatus = RelationshipStatus.ACTIVE
    paused_reason: str | None = None
    ended_on: date | None = None
    end_reason: EndReason | None = None
    ended_by: str | None = None
    end_comment: str | None = None  # private free text, never in events
    closing_survey_requested: bool = False
    match_end_reason: str | None = None  # the matcher's code, kept for the record

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(m.person_id for m in self.members)

    def is_member(self, person_id: str) -> bool:
        return person_id in self.member_ids

    def event(self, type_: str, now: datetime, **data: EventValue) -> DomainEvent:
        """An event of this relationship: its subject, and named with its program."""
        return relationship_event(type_, self.id, self.program_id, require_utc(now, "now"), **data)

    def member(self, person_id: str) -> Member:
        for m in self.members:
            if m.person_id == person_id:
                return m
        raise NotAMember(f"person {person_id} is not a member of relationship {self.id}")


def _validate_members(kind: RelationshipKind, members: Sequence[Member]) -> None:
    ids = [m.person_id for m in members]
    if len(set(ids)) != len(ids):
        raise InvalidInput("a person can appear only once in a relationship")
    for m in members:
        zone(m.time_zone)
        if m.role not in _ROLES_BY_KIND[kind]:
            raise InvalidInput(f"role {m.role} does not belong in a {kind} relationship")
    roles = sorted(m.role for m in members)
    if kind is RelationshipKind.REVERSE_MENTORING and roles != [
        MemberRole.MENTEE,
        MemberRole.MENTOR,
    ]:
        raise InvalidInput("a reverse mentoring pair needs exactly one mentor and one mentee")
    if kind is RelationshipKind.PEER_COACHING and len(members) != 2:
        raise InvalidInput("a peer coaching pair needs exactly two peers")
    if kind is RelationshipKind.PEER_GROUP and len(members) < 3:
        raise InvalidInput("a peer group circle needs at least three members")


def start_relationship(
    *,
    relationship_id: str,
    program_id: str,
    match_id: str,
    kind: RelationshipKind,
    members: Sequence[Member],
    started_on: date,
    planned_end_on: date,
    cadence_days: int,
    now: datetime,
) -> Outcome[Relationship]:
    """Create an active relationship from an activated match and announce it."""
    now = require_utc(now, "now")
    _validate_members(kind, members)
    if planned_end_on <= started_on:
        raise InvalidInput("the planned end must come after the start date")
    if not 1 <= cadence_days <= 366:
        raise InvalidInput("the cadence must be between 1 and 366 days")
    rel = Relationship(
        id=relationship_id,
        program_id=program_id,
        match_id=match_id,
        kind=kind,
        members=tuple(members),
        started_on=started_on,
        planned_end_on=planned_end_on,
        cadence_days=cadence_days,
    )
    event = rel.event(
        EventType.RELATIONSHIP_STARTED,
        now,
        match_id=match_id,
        kind=str(kind),
        member_ids=rel.member_ids,
        started_on=started_on.isoformat(),
        planned_end_on=planned_end_on.isoformat(),
        cadence_days=cadence_days,
    )
    return Outcome(rel, (event,))


def pause_relationship(rel: Relationship, *, reason: str, now: datetime) -> Outcome[Relationship]:
    """Pause an active relationship, e.g. because its match was flagged.

    `reason` is a short code (such as "match_flagged"); it travels in the event.
    """
    if rel.status is not RelationshipStatus.ACTIVE:
        raise IllegalTransition(
            f"only an active relationship can be paused; this one is {rel.status}"
        )
    new = replace(rel, status=RelationshipStatus.PAUSED, paused_reason=reason)
    return Outcome(new, (new.event(EventType.RELATIONSHIP_PAUSED, now, reason=reason),))


def resume_relationship(rel: Relationship, *, now: datetime) -> Outcome[Relationship]:
    """Resume a paused relationship (the flag was cleared)."""
    if rel.status is not RelationshipStatus.PAUSED:
        raise IllegalTransition(
            f"only a paused relationship can be resumed; this one is {rel.status}"
        )
    new = replace(rel, status=RelationshipStatus.ACTIVE, paused_reason=None)
    return Outcome(new, (new.event(EventType.RELATIONSHIP_RESUMED, now),))


def end_relationship(
    rel: Relationship,
    *,
    reason: EndReason,
    now: datetime,
    ended_by: str | None = None,
    comment: str | None = None,
    match_reason: str | None = None,
) -> Outcome[Relationship]:
    """End the relationship for good.

    A member ending it early (`EndReason.ENDED_EARLY`, `ended_by` required) or the
    program completing (`EndReason.COMPLETED`) also requests a closing survey from
    every member. `comment` stays private to the store; `match_reason` (the matcher's
    end code) is kept for the record.
    """
    now = require_utc(now, "now")
    if rel.status is RelationshipStatus.ENDED:
        raise IllegalTransition("this relationship has already ended")
    if rel.kind is RelationshipKind.FLASH:
        raise IllegalTransition(
            "a flash booking ends with its meeting: cancel the booking or its meeting instead"
        )
    if reason is EndReason.ENDED_EARLY:
        if ended_by is None:
            raise InvalidInput("ending early needs the member who ends it")
        rel.member(ended_by)
    survey = reason in SURVEYED
    new = replace(
        rel,
        status=RelationshipStatus.ENDED,
        paused_reason=None,
        ended_on=now.date(),
        end_reason=reason,
        ended_by=ended_by,
        end_comment=comment,
        closing_survey_requested=survey,
        match_end_reason=match_reason,
    )
    events = [
        new.event(
            EventType.RELATIONSHIP_ENDED,
            now,
            reason=str(reason),
            ended_by=ended_by,
            ended_on=now.date().isoformat(),
            closing_survey_requested=survey,
        )
    ]
    if survey:
        events.append(new.event(EventType.CLOSING_SURVEY_REQUESTED, now, member_ids=new.member_ids))
    return Outcome(new, tuple(events))
