"""Meetings: list, read, lifecycle moves, agenda, notes, feedback, calendars, series."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime

from services.sessions import engagement, meetings, series
from services.sessions.deps import (
    MEMBER,
    READER,
    Caller,
    Now,
    Paging,
    RuntimeDep,
    Store,
    is_member,
    page_of,
    visible_relationship,
    visible_to_admin,
)
from services.sessions.schemas import (
    AgendaItemCreate,
    FeedbackCreate,
    FeedbackRead,
    MeetingCancel,
    MeetingComplete,
    MeetingNoShow,
    MeetingRead,
    MeetingReschedule,
    MeetingSummaryRead,
    NoteCreate,
    SeriesCancel,
    SeriesRead,
)
from services.sessions.store import MEETINGS
from shared.api import CONFLICT, Page
from shared.auth import Role
from shared.mongo import NotFound

router = APIRouter(tags=["meetings"])
ICS = "text/calendar; charset=utf-8"
ICS_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "iCalendar"}
}


@router.get("/meetings", response_model=Page[MeetingSummaryRead], dependencies=[READER])
async def list_meetings(
    store: Store,
    caller: Caller,
    page: Paging,
    relationship_id: Annotated[str | None, Query(max_length=200)] = None,
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(scheduled|cancelled|completed|no_show)$")
    ] = None,
    starts_from: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    starts_before: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> Response:
    """The caller's meetings by start time; filter by relationship, status and window.

    A program admin (or a service) naming a relationship of a program they administer
    gets that relationship's meetings (summaries only: no agenda, notes or feedback)."""
    if relationship_id is not None and caller.has(Role.PROGRAM_ADMIN, Role.SERVICE):
        rel = await store.relationships.get(relationship_id)
        if rel is None or not is_member(caller, rel.get("member_ids", [])):
            await visible_relationship(store, relationship_id, caller)  # else 404
            items, total = await _relationship_meetings(
                store, relationship_id, status_, starts_from, starts_before, page.limit, page.offset
            )
            body = page_of(items, total, page.limit, page.offset)  # type: ignore[arg-type]
            return Response(json.dumps(body, default=_json_default), media_type="application/json")
    items, total = await meetings.list_for(
        store,
        person_id=caller.subject,
        relationship_id=relationship_id,
        status=status_,
        starts_from=starts_from,
        starts_before=starts_before,
        limit=page.limit,
        offset=page.offset,
    )
    # The hot path of the API: the rows are already the documented shape, so they are
    # serialised directly instead of being validated again against the response model.
    body = page_of(items, total, page.limit, page.offset)  # type: ignore[arg-type]
    return Response(json.dumps(body, default=_json_default), media_type="application/json")


async def _relationship_meetings(
    store: Store,
    relationship_id: str,
    status_: str | None,
    starts_from: datetime | None,
    starts_before: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    query: dict[str, Any] = {"relationship_id": relationship_id}
    if status_:
        query["status"] = status_
    window = {k: v for k, v in (("$gte", starts_from), ("$lt", starts_before)) if v is not None}
    if window:
        query["starts_at"] = window
    docs, total = await store.page(
        MEETINGS,
        query,
        sort=[("starts_at", 1)],
        limit=limit,
        offset=offset,
        projection={k: 1 for k in SUMMARY_FIELDS},
    )
    return [meetings.summary_read(d) for d in docs], total


SUMMARY_FIELDS = (
    "relationship_id",
    "program_id",
    "organiser_id",
    "participant_ids",
    "time_zone",
    "starts_at",
    "duration_minutes",
    "status",
    "sequence",
    "series_id",
)


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@router.get(
    "/meetings/{meeting_id}",
    response_model=MeetingRead | MeetingSummaryRead,
    dependencies=[READER],
)
async def get_meeting(meeting_id: str, store: Store, caller: Caller) -> dict[str, Any]:
    """The meeting as the caller may see it: a participant gets its content (others'
    private notes never included); an admin of its program the summary only."""
    doc = await store.meetings.get(meeting_id)
    if doc is not None and is_member(caller, doc.get("participant_ids", [])):
        return meetings.meeting_read(doc, caller.subject)
    if await visible_to_admin(store, doc, caller):
        return meetings.summary_read(doc)  # type: ignore[arg-type]
    raise NotFound(f"meeting {meeting_id}")


async def _move(
    store: Store,
    runtime: RuntimeDep,
    caller: str,
    meeting_id: str,
    move: meetings.Transition,
    now: datetime,
) -> dict[str, Any]:
    doc = await meetings.transition(
        store,
        meeting_id=meeting_id,
        person_id=caller,
        move=move,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return meetings.meeting_read(doc, caller)


@router.post(
    "/meetings/{meeting_id}/reschedule",
    response_model=MeetingRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def reschedule(
    meeting_id: str,
    body: MeetingReschedule,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
) -> dict[str, Any]:
    move = meetings.reschedule(
        new_starts_at=body.starts_at,
        duration_minutes=body.duration_minutes,
        by=caller.subject,
        now=now,
    )
    return await _move(store, runtime, caller.subject, meeting_id, move, now)


@router.post(
    "/meetings/{meeting_id}/cancel",
    response_model=MeetingRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def cancel(
    meeting_id: str,
    body: MeetingCancel,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
) -> dict[str, Any]:
    move = meetings.cancel(by=caller.subject, reason=body.reason, now=now)
    return await _move(store, runtime, caller.subject, meeting_id, move, now)


@router.post(
    "/meetings/{meeting_id}/complete",
    response_model=MeetingRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def complete(
    meeting_id: str,
    body: MeetingComplete,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
) -> dict[str, Any]:
    move = meetings.complete(attended_ids=body.attended_ids, now=now)
    return await _move(store, runtime, caller.subject, meeting_id, move, now)


@router.post(
    "/meetings/{meeting_id}/no-show",
    response_model=MeetingRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def no_show(
    meeting_id: str,
    body: MeetingNoShow,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
) -> dict[str, Any]:
    move = meetings.no_show(absent_ids=body.absent_ids, now=now)
    return await _move(store, runtime, caller.subject, meeting_id, move, now)


@router.post(
    "/meetings/{meeting_id}/agenda",
    response_model=MeetingRead,
    status_code=201,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def add_agenda_item(
    meeting_id: str, body: AgendaItemCreate, store: Store, caller: Caller
) -> dict[str, Any]:
    edit = meetings.agenda_item(author_id=caller.subject, text=body.text)
    doc = await meetings.edit_content(
        store, meeting_id=meeting_id, person_id=caller.subject, edit=edit
    )
    return meetings.meeting_read(doc, caller.subject)


@router.post(
    "/meetings/{meeting_id}/agenda/{item_id}/done",
    response_model=MeetingRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def tick_agenda_item(
    meeting_id: str, item_id: str, store: Store, caller: Caller
) -> dict[str, Any]:
    edit = meetings.agenda_done(item_id=item_id, by=caller.subject)
    doc = await meetings.edit_content(
        store, meeting_id=meeting_id, person_id=caller.subject, edit=edit
    )
    return meetings.meeting_read(doc, caller.subject)


@router.post(
    "/meetings/{meeting_id}/notes",
    response_model=MeetingRead,
    status_code=201,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def add_note(
    meeting_id: str, body: NoteCreate, store: Store, caller: Caller, now: Now
) -> dict[str, Any]:
    """A shared note, or (``private: true``) one only the caller will ever see."""
    edit = meetings.note(author_id=caller.subject, text=body.text, private=body.private, now=now)
    doc = await meetings.edit_content(
        store, meeting_id=meeting_id, person_id=caller.subject, edit=edit
    )
    return meetings.meeting_read(doc, caller.subject)


@router.get(
    "/meetings/{meeting_id}/invite.ics",
    response_class=Response,
    dependencies=[MEMBER],
    responses=ICS_RESPONSE,
)
async def meeting_calendar(meeting_id: str, store: Store, caller: Caller, now: Now) -> Response:
    """iCalendar invitation (REQUEST) or cancellation (CANCEL); stable UID, rising SEQUENCE."""
    body = await meetings.invitation(
        store, meeting_id=meeting_id, person_id=caller.subject, now=now
    )
    return Response(body, media_type=ICS)


@router.post(
    "/meetings/{meeting_id}/feedback",
    response_model=FeedbackRead,
    status_code=201,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def give_feedback(
    meeting_id: str,
    body: FeedbackCreate,
    store: Store,
    caller: Caller,
    runtime: RuntimeDep,
    now: Now,
) -> dict[str, Any]:
    feedback = await engagement.give_feedback(
        store,
        meeting_id=meeting_id,
        person_id=caller.subject,
        rating=body.rating,
        was_useful=body.was_useful,
        comment=body.comment,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return engagement.feedback_read(feedback)


@router.get(
    "/meetings/{meeting_id}/feedback", response_model=list[FeedbackRead], dependencies=[MEMBER]
)
async def read_feedback(meeting_id: str, store: Store, caller: Caller) -> list[dict[str, Any]]:
    """Own feedback always; others' once all attendees submitted (if the program shares it)."""
    visible = await engagement.feedback_for(store, meeting_id=meeting_id, person_id=caller.subject)
    return [engagement.feedback_read(f) for f in visible]


@router.get("/series/{series_id}", response_model=SeriesRead, dependencies=[READER])
async def get_series(series_id: str, store: Store, caller: Caller) -> dict[str, Any]:
    """A series of the caller's, or of a program they administer (no content in it)."""
    doc = await store.series.get(series_id)
    if doc is not None and (
        is_member(caller, doc.get("participant_ids", []))
        or await visible_to_admin(store, doc, caller)
    ):
        return series.series_read(doc)
    raise NotFound(f"series {series_id}")


@router.post(
    "/series/{series_id}/cancel",
    response_model=SeriesRead,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def cancel_series(
    series_id: str, body: SeriesCancel, store: Store, caller: Caller, runtime: RuntimeDep, now: Now
) -> dict[str, Any]:
    doc = await series.cancel(
        store,
        series_id=series_id,
        person_id=caller.subject,
        reason=body.reason,
        now=now,
        source=runtime.settings.source,
    )
    runtime.nudge_outbox()
    return series.series_read(doc)


@router.get(
    "/series/{series_id}/invite.ics",
    response_class=Response,
    dependencies=[MEMBER],
    responses=ICS_RESPONSE,
)
async def series_calendar(series_id: str, store: Store, caller: Caller, now: Now) -> Response:
    body = await series.invitation(store, series_id=series_id, person_id=caller.subject, now=now)
    return Response(body, media_type=ICS)
