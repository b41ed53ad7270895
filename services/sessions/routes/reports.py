"""HR reports: program aggregates."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.sessions import reports
from services.sessions.dates import Day
from services.sessions.deps import REPORTER, Work
from services.sessions.domain.reports import Period
from shared.api import unprocessable
from shared.inputs import PathIdentifier

router = APIRouter(tags=["commitments"])
MAX_REPORT_DAYS = 3 * 366


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


class SurveyOutcomesRead(BaseModel):
    """The closing surveys answered in the range: every cell over all who answered."""

    answers: CellRead
    average_overall: CellRead
    average_partner_helpfulness: CellRead
    goals_met: dict[str, CellRead] = Field(description="Share answering yes, partly, no.")
    would_recommend: CellRead
    would_continue: CellRead


class PulseQuestionRead(BaseModel):
    count: CellRead
    mean: CellRead = Field(description="For would_continue: the share answering yes.")


class PulseOutcomesRead(BaseModel):
    """The juniors' pulse checks answered in the range (reverse mentoring): every cell
    over all who answered, suppressed under 5 people; never a note."""

    answers: CellRead
    comfort: PulseQuestionRead
    psychological_safety: PulseQuestionRead
    would_continue: PulseQuestionRead


class AggregatesRead(BaseModel):
    program_id: str
    period: str
    periods: list[PeriodAggregatesRead]
    health_distribution: dict[str, CellRead]
    survey: SurveyOutcomesRead
    pulse: PulseOutcomesRead


@router.get(
    "/hr/programs/{program_id}/aggregates",
    tags=["hr"],
    response_model=AggregatesRead,
    dependencies=[REPORTER],
)
async def program_aggregates(
    program_id: PathIdentifier,
    uow: Work,
    first_day: Day,
    last_day: Day,
    period: Period = Period.ISO_WEEK,
) -> dict[str, Any]:
    """Per-period figures (numbers only; cells under 5 people suppressed) for the
    program's admins and HR analysts. Every read is recorded in the audit log."""
    if last_day < first_day:
        raise unprocessable("last_day", "must not be before first_day", location="query")
    if (last_day - first_day).days > MAX_REPORT_DAYS:
        raise unprocessable("last_day", f"at most {MAX_REPORT_DAYS} days", location="query")
    return await reports.aggregates(
        uow, program_id=program_id, period=period, first_day=first_day, last_day=last_day
    )
