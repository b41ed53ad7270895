"""The matcher's API models: ``XCreate`` in (``shared.inputs.StrictBody``: unknown fields
refused, numbers finite, every string and list bounded), ``XRead`` out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from services.matcher.program_settings import (
    MATCHES_START,
    MatchingMode,
    MatchStart,
    refuse_start_without_rounds,
)
from shared.contracts.matching import MemberRole, ProgramKind
from shared.inputs import (
    Identifier,
    Name,
    SaneDate,
    StrictBody,
    Text,
    bounded,
    number,
    whole_number,
)


def example(**body: object) -> ConfigDict:
    """A request model's config with the one example its OpenAPI publishes."""
    return ConfigDict(json_schema_extra={"examples": [body]})


class WeightsIn(StrictBody):
    """Weights of the soft criteria; each criterion's raw value is in [0, 1]."""

    skills: number(ge=0, le=100) = Field(default=3.0, description="Skills wanted vs offered.")
    goals: number(ge=0, le=100) = Field(default=2.0, description="Goal / interest alignment.")
    cross_department: number(ge=0, le=100) = 1.0
    diversity: number(ge=0, le=100) = 1.0
    availability: number(ge=0, le=100) = Field(default=1.0, description="Working-hours overlap.")


class RulesIn(StrictBody):
    """Hard constraints and soft weights; never pairing within a reporting chain is always on."""

    weights: WeightsIn = Field(default_factory=WeightsIn)
    require_different_department: StrictBool = False
    require_different_business_unit: StrictBool = False
    min_overlap_hours: number(ge=0, le=12) = 2.0
    require_shared_language: StrictBool = True
    junior_by: Literal["level", "tenure", "level_or_tenure", "level_and_tenure"] = "level"
    min_level_gap: whole_number(ge=0, le=20) = 1
    min_tenure_gap_days: whole_number(ge=0, le=20_000) = 365
    candidates_per_person: whole_number(ge=1, le=200) = 50
    min_group_size: whole_number(ge=2, le=20) = 5
    max_group_size: whole_number(ge=2, le=20) = 7
    max_per_department: whole_number(ge=1, le=20) = 2
    activation_quorum: number(gt=0, le=1) = Field(
        default=1.0, description="Share of a circle that must accept."
    )
    maximise_cardinality: StrictBool | None = Field(
        default=None,
        description="Match as many people as possible (true) or only the best pairs (false); "
        "unset: the kind's default (reverse mentoring true, peer programs false).",
    )

    @model_validator(mode="after")
    def _group_sizes(self) -> RulesIn:
        if self.max_group_size < self.min_group_size:
            raise ValueError("max_group_size is below min_group_size")
        return self


class ProgramCreate(StrictBody):
    model_config = example(
        name="Reverse mentoring 2027: AI for leaders",
        kind="reverse_mentoring",
        admin_ids=["p-000042"],
        enrollment_opens_on="2027-01-04",
        enrollment_closes_on="2027-01-29",
        starts_on="2027-02-01",
        ends_on="2027-07-31",
        cadence_days=14,
    )

    name: Name
    kind: ProgramKind
    description: Annotated[Text, Field(max_length=5000)] = ""
    admin_ids: bounded(Identifier, 50) = Field(default_factory=list)
    enrollment_opens_on: SaneDate | None = None
    enrollment_closes_on: SaneDate | None = None
    starts_on: SaneDate | None = None
    ends_on: SaneDate | None = None
    cadence_days: whole_number(ge=1, le=365) = 14
    feedback_visible_to_peers: StrictBool = True
    rules: RulesIn = Field(default_factory=RulesIn)
    matching_mode: MatchingMode = MatchingMode.CURATED
    proposal_ttl_hours: whole_number(ge=1, le=24 * 60) = 168
    matches_start: MatchStart = MATCHES_START

    @model_validator(mode="after")
    def _dates_in_order(self) -> ProgramCreate:
        opens, closes = self.enrollment_opens_on, self.enrollment_closes_on
        if opens and closes and closes < opens:
            raise ValueError("enrollment_closes_on is before enrollment_opens_on")
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValueError("ends_on must be after starts_on")
        return self

    @model_validator(mode="after")
    def _started_by_rounds(self) -> ProgramCreate:
        refuse_start_without_rounds(self.matches_start, self.kind)
        return self


class ProgramRead(BaseModel):
    id: str
    name: str
    kind: ProgramKind
    description: str
    admin_ids: list[str]
    enrollment_opens_on: date | None
    enrollment_closes_on: date | None
    starts_on: date | None
    ends_on: date | None
    cadence_days: int
    feedback_visible_to_peers: bool
    rules: RulesIn = Field(default_factory=RulesIn)
    matching_mode: MatchingMode = MatchingMode.CURATED
    proposal_ttl_hours: int = 168
    matches_start: MatchStart = MatchStart.WHEN_ACCEPTED
    status: str
    created_at: datetime


class ImportRowError(BaseModel):
    row: int
    person_id: str | None
    errors: list[str]


class ImportResult(BaseModel):
    """``accepted`` rows are published to ``hr.people.v1`` and applied within seconds."""

    accepted: int
    rejected: int
    errors: list[ImportRowError]


class SkillRead(BaseModel):
    name: str
    proficiency: int


class PersonRead(BaseModel):
    person_id: str
    display_name: str
    email: str
    title: str = ""
    level: int
    department: str = ""
    business_unit: str = ""
    location: str = ""
    time_zone: str = "UTC"
    languages: list[str] = Field(default_factory=list)
    manager_id: str | None = None
    hire_date: date | None = None
    skills: list[SkillRead] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    departed_on: date | None = None


class EnrollmentCreate(StrictBody):
    model_config = example(
        person_id="p-000042",
        role="mentor",
        skills_wanted=[],
        goals=["generative-ai", "customer-insight"],
        capacity=2,
        work_start_hour=9,
        work_end_hour=17,
    )

    person_id: Identifier
    role: MemberRole
    skills_wanted: bounded(Name, 50) = Field(default_factory=list)
    goals: bounded(Name, 50) = Field(default_factory=list)
    capacity: whole_number(ge=1, le=20) = Field(default=1, description="Mentees a mentor takes.")
    work_start_hour: number(ge=0, le=24) = 9.0
    work_end_hour: number(ge=0, le=24) = 17.0


class EnrollmentRead(BaseModel):
    id: str
    program_id: str
    person_id: str
    role: MemberRole
    skills_wanted: list[str]
    goals: list[str]
    capacity: int
    work_start_hour: float
    work_end_hour: float
    status: str
    created_at: datetime


class PairIn(StrictBody):
    first: Identifier = Field(description="Mentor (or a peer).")
    second: Identifier = Field(description="Mentee (or a peer).")


class RoundAdjust(StrictBody):
    """Admin edits of a draft: lock pairs, forbid pairs, swap two mentees' mentors."""

    lock: bounded(PairIn, 1000) = Field(default_factory=list)
    forbid: bounded(PairIn, 1000) = Field(default_factory=list)
    swap: bounded(PairIn, 1000) = Field(
        default_factory=list, description="Pairs of mentees to swap."
    )


class UnmatchedRead(BaseModel):
    person_id: str
    role: str
    reason: str
    constraint: str | None
    detail: str


class RoundRead(BaseModel):
    id: str
    program_id: str
    kind: ProgramKind
    status: str
    created_at: datetime
    proposal_count: int
    total_score: float
    locked: list[list[str]]
    forbidden: list[list[str]]
    unmatched: list[UnmatchedRead]
    stats: dict[str, float]


class ContributionRead(BaseModel):
    weight: float
    raw: float
    value: float


class ExplanationRead(BaseModel):
    """Why this match: the total, each criterion's weighted contribution, the constraints met."""

    total_score: float
    contributions: dict[str, ContributionRead]
    constraints_satisfied: list[str]


class MemberRead(BaseModel):
    person_id: str
    role: MemberRole


class ProposalRead(BaseModel):
    index: int
    members: list[MemberRead]
    explanation: ExplanationRead
    locked: bool


class MatchRead(BaseModel):
    id: str
    program_id: str
    round_id: str | None = None
    kind: ProgramKind
    members: list[MemberRead]
    explanation: ExplanationRead
    state: str
    responses: dict[str, str]
    created_at: datetime
    expires_at: datetime | None = None
    note: str = ""


class MatchAnswer(StrictBody):
    accept: StrictBool
