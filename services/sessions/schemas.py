"""The sessions API models: ``XCreate`` in (closed to unknown fields), ``XRead`` out.

The time log's, the journal's and the HR reports' models live with their routes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from services.sessions.dates import Day, Instant
from shared.inputs import (
    Identifier,
    Name,
    StrictBody,
    Text,
    TimeOfDay,
    TimeZoneName,
    bounded,
)

#: Free text that must say something (an agenda item, a note, a journal entry).
Written = Annotated[Text, Field(min_length=1)]
#: A short reason code (``travel``, ``sick``).
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")]
#: An answer to a question rated from 1 to 5 (feedback, the pulse check, the closing survey).
Rating = Annotated[int, Field(ge=1, le=5)]
MAX_SLOT_RANGE_DAYS = 92
#: The people of one meeting (a relationship has at most a handful of members).
MAX_PARTICIPANTS = 20


Participants = Annotated[bounded(Identifier, MAX_PARTICIPANTS), Field(min_length=1)]


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


class RelationshipEnd(StrictBody):
    comment: Annotated[Text, Field(max_length=4000)] | None = Field(
        default=None, description="Private to the store."
    )


# ---- meetings ---------------------------------------------------------------------


class MeetingCreate(StrictBody):
    starts_at: Instant = Field(description="Any offset; stored in UTC.")
    duration_minutes: int = Field(ge=5, le=480)
    time_zone: TimeZoneName | None = Field(
        default=None, description="IANA zone; default: organiser's."
    )
    participant_ids: Annotated[Participants, Field(min_length=2)] | None = None


class MeetingReschedule(StrictBody):
    starts_at: Instant
    duration_minutes: int | None = Field(default=None, ge=5, le=480)


class MeetingCancel(StrictBody):
    reason: Code | None = None


class MeetingComplete(StrictBody):
    attended_ids: Participants


class MeetingNoShow(StrictBody):
    absent_ids: Participants


class AgendaItemCreate(StrictBody):
    text: Written


class NoteCreate(StrictBody):
    text: Written
    private: bool = False


class OrganisedRead(BaseModel):
    """What a meeting and a series answer alike (see ``domain.meetings.Organised``)."""

    id: str
    relationship_id: str
    program_id: str
    organiser_id: str
    participant_ids: list[str]
    time_zone: str


class MeetingSummaryRead(OrganisedRead):
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
    confirmed_ids: list[str] = Field(description="Participants who confirmed they will attend.")
    cancel_reason: str | None


class WorkingHoursIn(StrictBody):
    person_id: Identifier
    time_zone: TimeZoneName | None = Field(
        default=None, description="IANA zone; default: the member's own (from HR)."
    )
    start: TimeOfDay
    end: TimeOfDay = Field(description="Earlier than ``start``: the window runs past midnight.")
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default=[0, 1, 2, 3, 4], min_length=1, max_length=7, description="0 = Monday."
    )


class SlotQuery(StrictBody):
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


class SeriesCreate(StrictBody):
    first_date: Day
    local_time: TimeOfDay
    duration_minutes: int = Field(ge=5, le=480)
    interval_weeks: int = Field(default=2, ge=1, le=52)
    until: Day | None = None
    time_zone: TimeZoneName | None = None


class SeriesRead(OrganisedRead):
    first_date: date
    local_time: str
    duration_minutes: int
    interval_weeks: int
    until: date
    status: str
    sequence: int
    meeting_ids: list[str] = []


class SeriesCancel(StrictBody):
    reason: Code | None = None


# ---- feedback, time, goals, action items, journal ---------------------------------


class FeedbackCreate(StrictBody):
    rating: Rating
    was_useful: bool
    comment: Annotated[Text, Field(max_length=4000)] = ""


class FeedbackRead(BaseModel):
    meeting_id: str
    author_id: str
    rating: int
    was_useful: bool
    comment: str
    submitted_at: datetime


class GoalCreate(StrictBody):
    title: Name
    personal: bool = Field(default=False, description="Mine only, or the relationship's.")


class GoalRead(BaseModel):
    id: str
    relationship_id: str
    owner_id: str | None
    title: str
    status: str
    created_at: datetime
    closed_at: datetime | None


class ActionItemCreate(StrictBody):
    owner_id: Identifier
    description: Annotated[Written, Field(max_length=1000)]
    due_on: Day
    meeting_id: Identifier | None = Field(default=None, description="A meeting of it (else 404).")
    goal_id: Identifier | None = Field(default=None, description="A goal of it (else 404).")


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
