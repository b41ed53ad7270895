"""Goals, action items, the journal and HR aggregates."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from services.sessions import engagement, journal, reporting
from services.sessions.deps import (
    MEMBER,
    REPORTER,
    Caller,
    Now,
    Paging,
    RuntimeDep,
    Store,
    page_of,
    reportable_program,
)
from services.sessions.domain import Period
from services.sessions.schemas import (
    ActionItemCreate,
    ActionItemRead,
    AggregatesRead,
    GoalCreate,
    GoalRead,
    JournalEntryCreate,
    JournalEntryRead,
    JournalSharing,
    JournalStatsRead,
    valid_zone,
)
from services.sessions.store import ACTION_ITEMS, GOALS
from shared import audit
from shared.api import CONFLICT, IdempotencyKey, Page, id_for, unprocessable

router = APIRouter(tags=["commitments"])
MAX_REPORT_DAYS = 3 * 366
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


@router.post(
    "/relationships/{relationship_id}/goals",
    response_model=GoalRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def set_goal(
    relationship_id: str,
    body: GoalCreate,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    doc = await engagement.add_goal(
        store,
        goal_id=id_for(idempotency_key, f"goal:{caller.subject}"),
        relationship_id=relationship_id,
        person_id=caller.subject,
        title=body.title,
        personal=body.personal,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return engagement.goal_read(doc)


@router.get(
    "/relationships/{relationship_id}/goals", response_model=Page[GoalRead], dependencies=[MEMBER]
)
async def list_goals(
    relationship_id: str,
    store: Store,
    caller: Caller,
    page: Paging,
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(open|achieved|dropped)$")
    ] = None,
) -> dict[str, Any]:
    docs, total = await engagement.list_in_relationship(
        store,
        GOALS,
        relationship_id=relationship_id,
        person_id=caller.subject,
        filters={"status": status_},
        sort=[("created_at", 1)],
        limit=page.limit,
        offset=page.offset,
    )
    return page_of([engagement.goal_read(d) for d in docs], total, page.limit, page.offset)


@router.post(
    "/goals/{goal_id}/achieve", response_model=GoalRead, dependencies=[MEMBER], responses=CONFLICT
)
async def achieve_goal(
    goal_id: str, store: Store, caller: Caller, runtime: RuntimeDep, now: Now
) -> dict[str, Any]:
    doc = await engagement.close_goal(
        store,
        goal_id=goal_id,
        person_id=caller.subject,
        achieved=True,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return engagement.goal_read(doc)


@router.post(
    "/goals/{goal_id}/drop", response_model=GoalRead, dependencies=[MEMBER], responses=CONFLICT
)
async def drop_goal(
    goal_id: str, store: Store, caller: Caller, runtime: RuntimeDep, now: Now
) -> dict[str, Any]:
    doc = await engagement.close_goal(
        store,
        goal_id=goal_id,
        person_id=caller.subject,
        achieved=False,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return engagement.goal_read(doc)


@router.post(
    "/relationships/{relationship_id}/action-items",
    response_model=ActionItemRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def create_action_item(
    relationship_id: str,
    body: ActionItemCreate,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """A commitment with an owner (a member) and a due date (end of day, owner's zone)."""
    doc = await engagement.add_action_item(
        store,
        item_id=id_for(idempotency_key, f"action-item:{caller.subject}"),
        relationship_id=relationship_id,
        person_id=caller.subject,
        owner_id=body.owner_id,
        description=body.description,
        due_on=body.due_on,
        meeting_id=body.meeting_id,
        goal_id=body.goal_id,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return engagement.action_item_read(doc, now)


@router.get(
    "/relationships/{relationship_id}/action-items",
    response_model=Page[ActionItemRead],
    dependencies=[MEMBER],
)
async def list_action_items(
    relationship_id: str,
    store: Store,
    caller: Caller,
    now: Now,
    page: Paging,
    status_: Annotated[str | None, Query(alias="status", pattern="^(open|done|dropped)$")] = None,
    owner_id: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    docs, total = await engagement.list_in_relationship(
        store,
        ACTION_ITEMS,
        relationship_id=relationship_id,
        person_id=caller.subject,
        filters={"status": status_, "owner_id": owner_id},
        sort=[("due_on", 1)],
        limit=page.limit,
        offset=page.offset,
    )
    items = [engagement.action_item_read(d, now) for d in docs]
    return page_of(items, total, page.limit, page.offset)  # type: ignore[arg-type]


@router.post(
    "/action-items/{item_id}/complete",
    response_model=ActionItemRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def complete_action_item(
    item_id: str, store: Store, caller: Caller, runtime: RuntimeDep, now: Now
) -> dict[str, Any]:
    doc = await engagement.close_action_item(
        store,
        item_id=item_id,
        person_id=caller.subject,
        done=True,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return engagement.action_item_read(doc, now)


@router.post(
    "/action-items/{item_id}/drop",
    response_model=ActionItemRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def drop_action_item(
    item_id: str, store: Store, caller: Caller, runtime: RuntimeDep, now: Now
) -> dict[str, Any]:
    doc = await engagement.close_action_item(
        store,
        item_id=item_id,
        person_id=caller.subject,
        done=False,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return engagement.action_item_read(doc, now)


@router.post(
    "/journal",
    response_model=JournalEntryRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def write_journal_entry(
    body: JournalEntryCreate,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """A small win, setback or learning; private unless ``shared``."""
    doc = await journal.write_journal_entry(
        store,
        entry_id=id_for(idempotency_key, f"journal:{caller.subject}"),
        relationship_id=body.relationship_id,
        person_id=caller.subject,
        kind=body.kind,
        text=body.text,
        written_on=body.written_on,
        goal_id=body.goal_id,
        shared=body.shared,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return journal.journal_doc_read(doc)


@router.get("/journal", response_model=Page[JournalEntryRead], dependencies=[MEMBER])
async def read_journal(
    store: Store,
    caller: Caller,
    page: Paging,
    relationship_id: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """The caller's entries and entries shared with their relationships, newest first."""
    entries, total = await journal.journal_for(
        store,
        person_id=caller.subject,
        relationship_id=relationship_id,
        limit=page.limit,
        offset=page.offset,
    )
    return page_of([journal.journal_read(e) for e in entries], total, page.limit, page.offset)


@router.get("/journal/stats", response_model=JournalStatsRead, dependencies=[MEMBER])
async def journal_stats(
    store: Store,
    caller: Caller,
    now: Now,
    time_zone: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Streak in weeks, entries this week and per ISO week (own entries only)."""
    try:
        valid_zone(time_zone)
    except ValueError as exc:
        raise unprocessable("time_zone", str(exc), location="query") from exc
    return await journal.journal_stats(
        store, person_id=caller.subject, time_zone=time_zone, now=now
    )


@router.put(
    "/journal/{entry_id}/sharing",
    response_model=JournalEntryRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def set_journal_sharing(
    entry_id: str, body: JournalSharing, store: Store, caller: Caller
) -> dict[str, Any]:
    doc = await journal.set_journal_sharing(
        store, entry_id=entry_id, person_id=caller.subject, shared=body.shared
    )
    return journal.journal_doc_read(doc)


@router.get(
    "/hr/programs/{program_id}/aggregates",
    tags=["hr"],
    response_model=AggregatesRead,
    dependencies=[REPORTER],
)
async def program_aggregates(
    program_id: str,
    store: Store,
    caller: Caller,
    first_day: date,
    last_day: date,
    period: Period = Period.ISO_WEEK,
) -> dict[str, Any]:
    """Per-period figures (numbers only; cells under 5 people suppressed) for the
    program's admins and HR analysts. Every read is recorded in the audit log."""
    if last_day < first_day:
        raise unprocessable("last_day", "must not be before first_day", location="query")
    if first_day < EARLIEST or last_day > LATEST:
        raise unprocessable(
            "first_day", f"the range must lie in {EARLIEST}..{LATEST}", location="query"
        )
    if (last_day - first_day).days > MAX_REPORT_DAYS:
        raise unprocessable("last_day", f"at most {MAX_REPORT_DAYS} days", location="query")
    await reportable_program(store, program_id, caller)
    result = await reporting.aggregates_for(
        store, program_id=program_id, period=period, first_day=first_day, last_day=last_day
    )
    await audit.record(
        store.db,
        actor=caller,
        action="aggregates.read",
        target=f"program:{program_id}",
        details={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
    )
    return result
