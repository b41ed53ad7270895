"""The sessions API models: ``XCreate``/``XUpdate`` in (closed to unknown fields), ``XRead`` out."""

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

from services.sessions.domain.journal import JournalKind

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


class _In(BaseModel):
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


class RelationshipEnd(_In):
    comment: str | None = Field(default=None, max_length=4000, description="Private to the store.")


# ---- meetings ---------------------------------------------------------------------


class MeetingCreate(_In):
    starts_at: Instant = Field(description="Any offset; stored in UTC.")
    duration_minutes: int = Field(ge=5, le=480)
    time_zone: str | None = Field(default=None, description="IANA zone; default: organiser's.")
    participant_ids: list[str] | None = Field(default=None, min_length=2, max_length=20)

    _tz = field_validator("time_zone")(valid_zone)


class MeetingReschedule(_In):
    starts_at: Instant
    duration_minutes: int | None = Field(default=None, ge=5, le=480)


class MeetingCancel(_In):
    reason: str | None = Code


class MeetingComplete(_In):
    attended_ids: list[str] = Field(min_length=1, max_length=20)


class MeetingNoShow(_In):
    absent_ids: list[str] = Field(min_length=1, max_length=20)


class AgendaItemCreate(_In):
    text: str = Text


class NoteCreate(_In):
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


class WorkingHoursIn(_In):
    person_id: str
    time_zone: str
    start: time
    end: time
    weekdays: list[int] = Field(default=[0, 1, 2, 3, 4], min_length=1, max_length=7)

    _tz = field_validator("time_zone")(valid_zone)


class SlotQuery(_In):
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


class SeriesCreate(_In):
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


class SeriesCancel(_In):
    reason: str | None = Code


# ---- feedback, time, goals, action items, journal ---------------------------------


class FeedbackCreate(_In):
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


class TimeLogCreate(_In):
    minutes: int = Field(ge=1, le=1440)
    spent_on: Day
    meeting_id: str | None = None


class TimeLogRead(BaseModel):
    id: str
    minutes: int
    spent_on: date


class TimeSpentRead(BaseModel):
    relationship_id: str
    total_minutes: int
    minutes_by_person: dict[str, int]


class GoalCreate(_In):
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


class ActionItemCreate(_In):
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


class JournalEntryCreate(_In):
    relationship_id: str = Field(min_length=1, max_length=200)
    kind: JournalKind
    text: str = Text
    written_on: Day | None = None
    goal_id: str | None = None
    shared: bool = False


class JournalSharing(_In):
    shared: bool


class JournalEntryRead(BaseModel):
    id: str
    author_id: str
    relationship_id: str
    kind: str
    written_on: date
    text: str
    shared: bool
    goal_id: str | None
    created_at: datetime


class JournalStatsRead(BaseModel):
    person_id: str
    time_zone: str
    streak_weeks: int
    this_week: int
    weekly_counts: dict[str, int]


# ---- HR aggregates ----------------------------------------------------------------


class CellRead(BaseModel):
    value: float | int | None
    suppressed: bool


class PeriodAggregatesRead(BaseModel):
    period: str
    starts_on: date
    ends_on: date
    active_relationships: CellRead
    meetings_planned: CellRead
    meetings_held: CellRead
    average_rating: CellRead
    commitments_completed: CellRead
    journal_entries: CellRead


class AggregatesRead(BaseModel):
    program_id: str
    period: str
    periods: list[PeriodAggregatesRead]
    health_distribution: dict[str, CellRead]
