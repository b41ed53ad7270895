"""The matcher's API models: ``XCreate`` in (closed to unknown fields), ``XRead`` out."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.matching import MemberRole, ProgramKind


class ProgramCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Reverse mentoring 2027: AI for leaders",
                    "kind": "reverse_mentoring",
                    "admin_ids": ["p-000042"],
                    "enrollment_opens_on": "2027-01-04",
                    "enrollment_closes_on": "2027-01-29",
                    "starts_on": "2027-02-01",
                    "ends_on": "2027-07-31",
                    "cadence_days": 14,
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    kind: ProgramKind
    description: str = Field(default="", max_length=5000)
    admin_ids: list[str] = Field(default_factory=list, max_length=50)
    enrollment_opens_on: date | None = None
    enrollment_closes_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    cadence_days: int = Field(default=14, ge=1, le=365)
    feedback_visible_to_peers: bool = True

    @model_validator(mode="after")
    def _dates_in_order(self) -> ProgramCreate:
        opens, closes = self.enrollment_opens_on, self.enrollment_closes_on
        if opens and closes and closes < opens:
            raise ValueError("enrollment_closes_on is before enrollment_opens_on")
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValueError("ends_on must be after starts_on")
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


class EnrollmentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "person_id": "p-000042",
                    "role": "mentor",
                    "skills_wanted": [],
                    "goals": ["generative-ai", "customer-insight"],
                    "capacity": 2,
                    "work_start_hour": 9,
                    "work_end_hour": 17,
                }
            ]
        },
    )

    person_id: str = Field(min_length=1, max_length=100)
    role: MemberRole
    skills_wanted: list[str] = Field(default_factory=list, max_length=50)
    goals: list[str] = Field(default_factory=list, max_length=50)
    capacity: int = Field(default=1, ge=1, le=20, description="Mentees a mentor takes.")
    work_start_hour: float = Field(default=9.0, ge=0, le=24)
    work_end_hour: float = Field(default=17.0, ge=0, le=24)


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
