"""The progress journal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from services.sessions import journal
from services.sessions.dates import Day
from services.sessions.deps import MEMBER, Paging, QueryIdentifier, Work, caller_of, page_of
from services.sessions.domain.journal import JournalKind
from services.sessions.schemas import Written
from shared.api import CONFLICT, IdempotencyKey, Page, id_for, unprocessable
from shared.inputs import Identifier, PathIdentifier, StrictBody, is_time_zone

router = APIRouter(tags=["commitments"])


class JournalEntryCreate(StrictBody):
    relationship_id: Identifier
    kind: JournalKind
    text: Written
    written_on: Day | None = None
    goal_id: Identifier | None = Field(default=None, description="A goal of it (else 404).")
    shared: bool = False


class JournalSharing(StrictBody):
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


@router.post(
    "/journal",
    response_model=JournalEntryRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def write_journal_entry(
    body: JournalEntryCreate,
    uow: Work,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """A small win, setback or learning; private unless ``shared``."""
    doc = await journal.write(
        uow,
        entry_id=id_for(idempotency_key, f"journal:{caller_of(uow).subject}"),
        relationship_id=body.relationship_id,
        kind=body.kind,
        text=body.text,
        written_on=body.written_on,
        goal_id=body.goal_id,
        shared=body.shared,
    )
    return journal.journal_doc_read(doc)


@router.get("/journal", response_model=Page[JournalEntryRead], dependencies=[MEMBER])
async def read_journal(
    uow: Work,
    page: Paging,
    relationship_id: QueryIdentifier = None,
) -> dict[str, Any]:
    """The caller's entries and entries shared with their relationships, newest first."""
    entries, total = await journal.page(
        uow, relationship_id=relationship_id, limit=page.limit, offset=page.offset
    )
    return page_of([journal.journal_read(e) for e in entries], total, page.limit, page.offset)


@router.get("/journal/stats", response_model=JournalStatsRead, dependencies=[MEMBER])
async def journal_stats(
    uow: Work,
    time_zone: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Streak in weeks, entries this week and per ISO week (own entries only)."""
    if time_zone is not None and not is_time_zone(time_zone):
        raise unprocessable("time_zone", f"unknown time zone {time_zone!r}", location="query")
    return await journal.stats(uow, time_zone=time_zone)


@router.put(
    "/journal/{entry_id}/sharing",
    response_model=JournalEntryRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def set_journal_sharing(
    entry_id: PathIdentifier, body: JournalSharing, uow: Work
) -> dict[str, Any]:
    doc = await journal.set_sharing(uow, entry_id=entry_id, shared=body.shared)
    return journal.journal_doc_read(doc)
