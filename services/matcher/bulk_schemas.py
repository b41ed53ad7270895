"""API models of bulk enrollment (apart from ``schemas.py`` only to keep modules short):
a body of rows or a filter in, a job with its per-row report out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from services.matcher.schemas import EnrollmentCreate, example
from shared.api import Page
from shared.contracts.matching import MemberRole
from shared.inputs import Name, StrictBody, bounded, number, whole_number

MAX_BULK_ROWS = 100_000


class BulkEnrollmentFilter(StrictBody):
    """Everyone in the people projection matching every criterion given (at least one):
    a list criterion matches any of its values."""

    role: MemberRole = Field(description="The role every selected person is enrolled in.")
    departments: bounded(Name, 200) = Field(default_factory=list)
    business_units: bounded(Name, 200) = Field(default_factory=list)
    locations: bounded(Name, 200) = Field(default_factory=list)
    languages: bounded(Name, 50) = Field(default_factory=list)
    min_level: whole_number(ge=0, le=100) | None = None
    max_level: whole_number(ge=0, le=100) | None = None
    capacity: whole_number(ge=1, le=20) = Field(default=1, description="Mentees a mentor takes.")
    work_start_hour: number(ge=0, le=24) = 9.0
    work_end_hour: number(ge=0, le=24) = 17.0

    @model_validator(mode="after")
    def _selects_someone(self) -> BulkEnrollmentFilter:
        lists = (self.departments, self.business_units, self.locations, self.languages)
        if not any(lists) and self.min_level is None and self.max_level is None:
            raise ValueError("give at least one criterion (a department, a level range...)")
        low, high = self.min_level, self.max_level
        if low is not None and high is not None and high < low:
            raise ValueError("max_level is below min_level")
        return self


class BulkEnrollmentRows(StrictBody):
    """The rows to enroll, each a single enrollment's body."""

    model_config = example(
        rows=[
            {"person_id": "p-000042", "role": "mentor", "capacity": 2},
            {"person_id": "p-000043", "role": "mentee", "goals": ["generative-ai"]},
        ]
    )

    rows: Annotated[list[EnrollmentCreate], Field(min_length=1, max_length=MAX_BULK_ROWS)]


class BulkEnrollmentByFilter(StrictBody):
    """Everyone the filter selects."""

    model_config = example(filter={"role": "mentee", "departments": ["Finance"], "min_level": 7})

    filter: BulkEnrollmentFilter


#: The body of ``POST .../enrollments/bulk``: rows or a filter.
BulkEnrollmentCreate = BulkEnrollmentRows | BulkEnrollmentByFilter


class BulkRowRead(BaseModel):
    row: int = Field(description="Row number (CSV: the file's line, header is line 1).")
    person_id: str
    outcome: Literal["accepted", "already_enrolled", "rejected"]
    reason: str | None = Field(
        default=None,
        description="Why rejected: invalid, duplicate_row, unknown_person, departed, "
        "role_not_in_program, program_closed.",
    )
    detail: str = ""


class BulkJobRead(BaseModel):
    """A bulk enrollment: its progress and counts, and a page of its per-row report."""

    id: str
    program_id: str
    status: Literal["running", "finished", "failed"]
    total: int
    done: int
    accepted: int
    already_enrolled: int
    rejected: int
    failure: str | None = None
    created_at: datetime
    finished_at: datetime | None = None
    report: Page[BulkRowRead]
