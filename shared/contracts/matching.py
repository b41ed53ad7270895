"""Events of the matcher: programs, enrollments and matches (ids only, never names)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.envelope import EventData

Id = str


class ProgramKind(StrEnum):
    REVERSE_MENTORING = "reverse_mentoring"
    PEER_COACHING = "peer_coaching"
    PEER_GROUP = "peer_group"
    FLASH = "flash"  # one-off sessions booked on offered slots: no rounds, no matches


class MemberRole(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    PEER = "peer"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Member(_Frozen):
    person_id: Id = Field(min_length=1, max_length=100)
    role: MemberRole


class Explanation(_Frozen):
    """Why this match: the total score, each criterion's weighted contribution, and
    the hard constraints it satisfies (constraint codes, e.g. ``not_same_reporting_chain``)."""

    total_score: float
    contributions: dict[str, float]
    constraints_satisfied: tuple[str, ...]


# ---- mentoring.programs.v1 -------------------------------------------------------


class ProgramOpened(EventData):
    event_type = "mentoring.program.opened"

    program_id: Id
    kind: ProgramKind
    admin_ids: tuple[Id, ...] = ()
    enrollment_opens_on: date | None = None
    enrollment_closes_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    cadence_days: int = Field(default=14, ge=1, le=365)
    feedback_visible_to_peers: bool = True
    mandatory_notifications: tuple[str, ...] = ()


class ProgramUpdated(ProgramOpened):
    event_type = "mentoring.program.updated"


class ProgramClosed(EventData):
    event_type = "mentoring.program.closed"

    program_id: Id


class ConcernReported(EventData):
    """A participant reported a concern to the program's admins. The event carries ids
    only: the text stays in the matcher, readable by the program's admins alone, and the
    person the concern is about is never told."""

    event_type = "mentoring.concern.reported"

    concern_id: Id
    program_id: Id


# ---- mentoring.enrollments.v1 ----------------------------------------------------


class _EnrollmentFacts(EventData):
    """What every event of an enrollment names: which one, in which program, of whom."""

    enrollment_id: Id
    program_id: Id
    person_id: Id


class EnrollmentCreated(_EnrollmentFacts):
    event_type = "mentoring.enrollment.created"

    role: MemberRole


class EnrollmentWithdrawn(_EnrollmentFacts):
    event_type = "mentoring.enrollment.withdrawn"


# ---- mentoring.matches.v1 --------------------------------------------------------


class _MatchFacts(EventData):
    """What every event of a match opens with: which one, in which program."""

    match_id: Id
    program_id: Id


class MatchProposed(_MatchFacts):
    event_type = "mentoring.match.proposed"

    round_id: Id | None = None
    kind: ProgramKind
    members: tuple[Member, ...] = Field(min_length=2)
    explanation: Explanation
    expires_at: AwareDatetime | None = None


class MatchAccepted(_MatchFacts):
    event_type = "mentoring.match.accepted"

    person_id: Id


class MatchDeclined(_MatchFacts):
    event_type = "mentoring.match.declined"

    person_id: Id
    reason_code: str = "declined"


class MatchActivated(_MatchFacts):
    """Every member accepted (or the program's quorum), or the admins assigned the match
    on publish (``assigned``): the relationship can begin."""

    event_type = "mentoring.match.activated"

    kind: ProgramKind
    members: tuple[Member, ...] = Field(min_length=2)
    explanation: Explanation
    starts_on: date
    planned_end: date | None = None
    cadence_days: int = Field(default=14, ge=1, le=365)
    assigned: bool = Field(
        default=False,
        description="True when nobody accepted: the program's admins assigned the match "
        "and it started as its round was published (``matches_start: on_publish``). Sent "
        "only when true, so an accepted match's event is as it always was.",
        exclude_if=lambda value: value is False,
    )


class MatchFlagged(_MatchFacts):
    """A live match now violates a hard constraint (e.g. a new manager); an admin must look."""

    event_type = "mentoring.match.flagged"

    person_id: Id | None = None
    reason_codes: tuple[str, ...] = Field(min_length=1)


class MatchEnded(_MatchFacts):
    event_type = "mentoring.match.ended"

    reason_code: str
    ended_at: datetime | None = None


class MatchResumed(_MatchFacts):
    """An admin looked at a flagged match and kept it: the relationship goes on."""

    event_type = "mentoring.match.resumed"

    reason_code: str = "flag_resolved_kept"


class MatchSuggested(_MatchFacts):
    """A self-match request expired or was declined: the requester is offered the next
    suggestion (``suggested_person_id``), ranked as ``GET /suggestions`` ranks it."""

    event_type = "mentoring.match.suggested"

    person_id: Id
    suggested_person_id: Id
