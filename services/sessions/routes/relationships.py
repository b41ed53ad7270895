"""Relationships: the caller's own, one of them, ending early, slots, series, time spent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from services.sessions import engagement, meetings, series
from services.sessions.deps import (
    MEMBER,
    READER,
    Caller,
    Now,
    Paging,
    RuntimeDep,
    Store,
    administered_program,
    page_of,
    visible_relationship,
)
from services.sessions.domain import WorkingHours
from services.sessions.relationships import end_early, relationship_read
from services.sessions.schemas import (
    MeetingCreate,
    MeetingRead,
    RelationshipEnd,
    RelationshipRead,
    SeriesCreate,
    SeriesRead,
    SlotQuery,
    SlotRead,
    TimeLogCreate,
    TimeLogRead,
    TimeSpentRead,
)
from services.sessions.store import RELATIONSHIPS
from shared.api import CONFLICT, IdempotencyKey, Page, id_for
from shared.auth import Role

router = APIRouter(prefix="/relationships", tags=["relationships"])


@router.get("", response_model=Page[RelationshipRead], dependencies=[READER])
async def list_relationships(
    store: Store,
    caller: Caller,
    page: Paging,
    program_id: Annotated[str | None, Query(max_length=200)] = None,
    status_: Annotated[str | None, Query(alias="status", pattern="^(active|paused|ended)$")] = None,
) -> dict[str, Any]:
    """The caller's relationships (newest first), optionally by program and status. A
    program admin naming a program they administer gets all of that program's."""
    query: dict[str, Any] = {}
    if program_id is not None and caller.has(Role.PROGRAM_ADMIN, Role.SERVICE):
        await administered_program(store, program_id, caller)  # else 404
    else:
        query["member_ids"] = {"$in": [caller.subject]}
    if program_id:
        query["program_id"] = program_id
    if status_:
        query["status"] = status_
    docs, total = await store.page(
        RELATIONSHIPS, query, sort=[("started_on", -1)], limit=page.limit, offset=page.offset
    )
    return page_of([relationship_read(d) for d in docs], total, page.limit, page.offset)


@router.get("/{relationship_id}", response_model=RelationshipRead, dependencies=[READER])
async def get_relationship(relationship_id: str, store: Store, caller: Caller) -> dict[str, Any]:
    """A relationship of the caller's, or of a program they administer."""
    return relationship_read(await visible_relationship(store, relationship_id, caller))


@router.post(
    "/{relationship_id}/end",
    response_model=RelationshipRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def end_relationship_early(
    relationship_id: str,
    body: RelationshipEnd,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
) -> dict[str, Any]:
    """A member ends it early; every member is asked for a closing survey."""
    doc = await end_early(
        store,
        relationship_id=relationship_id,
        person_id=caller.subject,
        comment=body.comment,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return relationship_read(doc)


@router.post(
    "/{relationship_id}/meetings",
    status_code=status.HTTP_201_CREATED,
    response_model=MeetingRead,
    dependencies=[MEMBER],
    responses={
        200: {"model": MeetingRead, "description": "Already created (same Idempotency-Key)."},
        **CONFLICT,
    },
)
async def schedule_meeting(
    relationship_id: str,
    body: MeetingCreate,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Schedule a meeting organised by the caller (times in UTC, organiser's zone kept)."""
    doc, created = await meetings.schedule(
        store,
        meeting_id=id_for(idempotency_key, f"meeting:{caller.subject}"),
        relationship_id=relationship_id,
        organiser_id=caller.subject,
        starts_at=body.starts_at,
        duration_minutes=body.duration_minutes,
        time_zone=body.time_zone,
        participant_ids=body.participant_ids,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/meetings/{doc['_id']}"
    return meetings.meeting_read(doc, caller.subject)


@router.post("/{relationship_id}/slots", response_model=list[SlotRead], dependencies=[MEMBER])
async def propose_slots(
    relationship_id: str, body: SlotQuery, store: Store, caller: Caller, now: Now
) -> list[dict[str, Any]]:
    """Earliest common free slots (working hours default to 09-17 Mon-Fri, member's zone)."""
    hours = [
        WorkingHours(h.person_id, h.time_zone, h.start, h.end, frozenset(h.weekdays))
        for h in body.working_hours
    ]
    return await meetings.suggest_slots(
        store,
        relationship_id=relationship_id,
        person_id=caller.subject,
        first_day=body.first_day,
        last_day=body.last_day,
        duration_minutes=body.duration_minutes,
        count=body.count,
        working_hours=hours,
        now=now,
    )


@router.post(
    "/{relationship_id}/series",
    status_code=status.HTTP_201_CREATED,
    response_model=SeriesRead,
    dependencies=[MEMBER],
    responses={
        200: {"model": SeriesRead, "description": "Already created (same Idempotency-Key)."},
        **CONFLICT,
    },
)
async def create_series(
    relationship_id: str,
    body: SeriesCreate,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """A recurring series every N weeks until the planned end (or ``until``)."""
    doc, ids, created = await series.create_series(
        store,
        series_id=id_for(idempotency_key, f"series:{caller.subject}"),
        relationship_id=relationship_id,
        organiser_id=caller.subject,
        first_date=body.first_date,
        local_time=body.local_time,
        duration_minutes=body.duration_minutes,
        interval_weeks=body.interval_weeks,
        until=body.until,
        time_zone=body.time_zone,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    if not created:
        response.status_code = status.HTTP_200_OK
    return series.series_read(doc, ids)


@router.post(
    "/{relationship_id}/time-logs",
    status_code=status.HTTP_201_CREATED,
    response_model=TimeLogRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def log_time(
    relationship_id: str,
    body: TimeLogCreate,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    doc = await engagement.log_time(
        store,
        log_id=id_for(idempotency_key, f"time:{caller.subject}"),
        relationship_id=relationship_id,
        person_id=caller.subject,
        minutes=body.minutes,
        spent_on=body.spent_on,
        meeting_id=body.meeting_id,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return {"id": doc["_id"], "minutes": doc["minutes"], "spent_on": doc["spent_on"]}


@router.get("/{relationship_id}/time-spent", response_model=TimeSpentRead, dependencies=[MEMBER])
async def time_spent(relationship_id: str, store: Store, caller: Caller) -> dict[str, Any]:
    return await engagement.time_spent(
        store, relationship_id=relationship_id, person_id=caller.subject
    )
