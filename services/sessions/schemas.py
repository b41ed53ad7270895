"""The sessions API models: ``XCreate`` in (closed to unknown fields), ``XRead`` out.

The time log's, the journal's and the HR reports' models live with their routes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from shared.inputs import TimeZoneName

Text = Field(min_length=1, max_length=10_000)
Code = Field(default=None, min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")

#: Dates and instants a request may name: far enough apart for any real use, and away
#: from ``date.min``/``date.max`` where the calendar arithmetic overflows.
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2999, 12, 31)
MAX_SLOT_RANGE_DAYS = 92


def _plausible_day(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must lie between {EARLIEST_DAY} and {LATEST_DAY}")
    return value


def _plausible_instant(value: datetime) -> datetime:
    _plausible_day(value.date())
    return value


Day = Annotated[date, AfterValidator(_plausible_day)]
Instant = Annotated[AwareDatetime, AfterValidator(_plausible_instant)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


def valid_zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


# ---- relationships ----------------------------------------------------------------


class MemberRead(BaseModel):
    person_id: str
    role: str
    time_zone: str


class HealthRead(BaseModel):
    state: str
    reasons: list[str]


class RelationshipRead(BaseModel):
    id: str
    program_id: str
    match_id: str
    kind: str
    members: list[MemberRead]
    started_on: date
    planned_end_on: date
    cadence_days: int
    status: str
    paused_reason: str | None
    ended_on: date | None
    end_reason: str | None
    ended_by: str | None
    closing_survey_requested: bool
    health: HealthRead


class RelationshipEnd(Input):
    comment: str | None = Field(default=None, max_length=4000, description="Private to the store.")


# ---- meetings ---------------------------------------------------------------------


class MeetingCreate(Input):
    starts_at: Instant = Field(description="Any offset; stored in UTC.")
    duration_minutes: int = Field(ge=5, le=480)
    time_zone: str | None = Field(default=None, description="IANA zone; default: organiser's.")
    participant_ids: list[str] | None = Field(default=None, min_length=2, max_length=20)

    _tz = field_validator("time_zone")(valid_zone)


class MeetingReschedule(Input):
    starts_at: Instant
    duration_minutes: int | None = Field(default=None, ge=5, le=480)


class MeetingCancel(Input):
    reason: str | None = Code


class MeetingComplete(Input):
    attended_ids: list[str] = Field(min_length=1, max_length=20)


class MeetingNoShow(Input):
    absent_ids: list[str] = Field(min_length=1, max_length=20)


class AgendaItemCreate(Input):
    text: str = Text


class NoteCreate(Input):
    text: str = Text
    private: bool = False


class MeetingSummaryRead(BaseModel):
    id: str
    relationship_id: str
    program_id: str
    organiser_id: str
    participant_ids: list[str]
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    local_starts_at: str
    duration_minutes: int
    status: str
    sequence: int
    series_id: str | None


class AgendaItemRead(BaseModel):
    id: str
    author_id: str
    text: str
    done: bool


class NoteRead(BaseModel):
    id: str
    author_id: str
    text: str
    written_at: datetime


class MeetingRead(MeetingSummaryRead):
    agenda: list[AgendaItemRead]
    shared_notes: list[NoteRead]
    my_private_notes: list[NoteRead]
    attended_ids: list[str]
    cancel_reason: str | None


class WorkingHoursIn(Input):
    person_id: str
    time_zone: TimeZoneName | None = Field(
        default=None, description="IANA zone; default: the member's own (from HR)."
    )
    start: time
    end: time
    weekdays: list[int] = Field(default=[0, 1, 2, 3, 4], min_length=1, max_length=7)


class SlotQuery(Input):
    first_day: Day
    last_day: Day
    duration_minutes: int = Field(default=45, ge=5, le=480)
    count: int = Field(default=3, ge=1, le=20)
    working_hours: list[WorkingHoursIn] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _bounded(self) -> SlotQuery:
        if self.last_day - self.first_day > timedelta(days=MAX_SLOT_RANGE_DAYS):
            raise ValueError(f"a slot search spans at most {MAX_SLOT_RANGE_DAYS} days")
        return self


class SlotRead(BaseModel):
    starts_at: datetime
    ends_at: datetime


class SeriesCreate(Input):
    first_date: Day
    local_time: time
    duration_minutes: int = Field(ge=5, le=480)
    interval_weeks: int = Field(default=2, ge=1, le=52)
    until: Day | None = None
    time_zone: str | None = None

    _tz = field_validator("time_zone")(valid_zone)


class SeriesRead(BaseModel):
    id: str
    relationship_id: str
    program_id: str
    organiser_id: str
    participant_ids: list[str]
    time_zone: str
    first_date: date
    local_time: str
    duration_minutes: int
    interval_weeks: int
    until: date
    status: str
    sequence: int
    meeting_ids: list[str] = []


class SeriesCancel(Input):
    reason: str | None = Code


# ---- feedback, time, goals, action items, journal ---------------------------------


class FeedbackCreate(Input):
    rating: int = Field(ge=1, le=5)
    was_useful: bool
    comment: str = Field(default="", max_length=4000)


class FeedbackRead(BaseModel):
    meeting_id: str
    author_id: str
    rating: int
    was_useful: bool
    comment: str
    submitted_at: datetime


class GoalCreate(Input):
    title: str = Field(min_length=1, max_length=1000)
    personal: bool = Field(default=False, description="Mine only, or the relationship's.")


class GoalRead(BaseModel):
    id: str
    relationship_id: str
    owner_id: str | None
    title: str
    status: str
    created_at: datetime
    closed_at: datetime | None


class ActionItemCreate(Input):
    owner_id: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1, max_length=1000)
    due_on: Day
    meeting_id: str | None = None
    goal_id: str | None = None


class ActionItemRead(BaseModel):
    id: str
    relationship_id: str
    owner_id: str
    description: str
    due_on: date
    due_at: datetime
    status: str
    overdue: bool
    meeting_id: str | None
    goal_id: str | None
    completed_at: datetime | None
