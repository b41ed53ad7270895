"""The progress journal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.sessions import journal
from services.sessions.dates import Day
from services.sessions.deps import MEMBER, Paging, QueryIdentifier, Work, member_write, new_id
from services.sessions.domain.journal import JournalEntry, JournalKind
from services.sessions.schemas import Written
from shared.api import Page, unprocessable
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


@router.post("/journal", **member_write(JournalEntryRead, status_code=201))
async def write_journal_entry(
    body: JournalEntryCreate,
    uow: Work,
    entry_id: Annotated[str, new_id("journal")],
) -> JournalEntry:
    """A small win, setback or learning; private unless ``shared``."""
    return journal.journal_doc_read(await journal.write(uow, entry_id=entry_id, **dict(body)))


@router.get("/journal", response_model=Page[JournalEntryRead], dependencies=[MEMBER])
async def read_journal(
    uow: Work,
    page: Paging,
    relationship_id: QueryIdentifier = None,
) -> dict[str, Any]:
    """The caller's entries and entries shared with their relationships, newest first."""
    entries, total = await journal.page(uow, relationship_id=relationship_id, **dict(page))
    return page.of(entries, total)


@router.get("/journal/stats", response_model=JournalStatsRead, dependencies=[MEMBER])
async def journal_stats(
    uow: Work,
    time_zone: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Streak in weeks, entries this week and per ISO week (own entries only)."""
    if time_zone is not None and not is_time_zone(time_zone):
        raise unprocessable("time_zone", f"unknown time zone {time_zone!r}", location="query")
    return await journal.stats(uow, time_zone=time_zone)


@router.put("/journal/{entry_id}/sharing", **member_write(JournalEntryRead))
async def set_journal_sharing(
    entry_id: PathIdentifier, body: JournalSharing, uow: Work
) -> JournalEntry:
    doc = await journal.set_sharing(uow, entry_id=entry_id, shared=body.shared)
    return journal.journal_doc_read(doc)
