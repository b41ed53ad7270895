"""Meetings: list, read, schedule, lifecycle moves, agenda, notes, calendar."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.sessions import meeting_content, meetings
from services.sessions.dates import Instant
from services.sessions.deps import (
    MEMBER,
    READER,
    NewIn,
    Paging,
    QueryIdentifier,
    Work,
    caller_of,
    idempotent_create,
    in_relationship,
    member_write,
)
from services.sessions.schemas import (
    AgendaItemCreate,
    MeetingCancel,
    MeetingComplete,
    MeetingCreate,
    MeetingNoShow,
    MeetingRead,
    MeetingReschedule,
    MeetingSummaryRead,
    NoteCreate,
)
from shared.api import Page
from shared.inputs import PathIdentifier

router = APIRouter(tags=["meetings"])
#: Scheduling is addressed through the relationship (listed with its routes).
scheduling = APIRouter(prefix="/relationships", tags=["relationships"])
#: A member's change to a meeting: the meeting as they now see it, or 409.
A_CHANGE = member_write(MeetingRead)
ICS = "text/calendar; charset=utf-8"
ICS_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "iCalendar"}
}
#: A participant's calendar file (a meeting's or a series' invitation).
CALENDAR_FILE: dict[str, Any] = {
    "response_class": Response,
    "dependencies": [MEMBER],
    "responses": ICS_RESPONSE,
}


def calendar_file(ics: bytes) -> Response:
    return Response(ics, media_type=ICS)


@router.get("/meetings", response_model=Page[MeetingSummaryRead], dependencies=[READER])
async def list_meetings(
    uow: Work,
    page: Paging,
    relationship_id: QueryIdentifier = None,
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(scheduled|cancelled|completed|no_show)$")
    ] = None,
    starts_from: Annotated[Instant | None, Query(alias="from")] = None,
    starts_before: Annotated[Instant | None, Query(alias="to")] = None,
) -> Response:
    """The caller's meetings by start time; filter by relationship, status and window.

    A program admin (or a service) naming a relationship of a program they administer
    gets that relationship's meetings (summaries only: no agenda, notes or feedback)."""
    items, total = await meetings.page(
        uow,
        relationship_id=relationship_id,
        status=status_,
        starts_from=starts_from,
        starts_before=starts_before,
        **dict(page),
    )
    # The hot path of the API: the rows are already the documented shape, so they are
    # serialised directly instead of being validated again against the response model.
    body = page.of(items, total)
    return Response(json.dumps(body, default=_json_default), media_type="application/json")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@router.get(
    "/meetings/{meeting_id}",
    response_model=MeetingRead | MeetingSummaryRead,
    dependencies=[READER],
)
async def get_meeting(meeting_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    """The meeting as the caller may see it: a participant gets its content (others'
    private notes never included); an admin of its program the summary only."""
    return await meetings.visible(uow, meeting_id=meeting_id)


def _read(uow: Work, doc: dict[str, Any]) -> dict[str, Any]:
    return meetings.meeting_read(doc, caller_of(uow).subject)


@router.post("/meetings/{meeting_id}/reschedule", **A_CHANGE)
async def reschedule(
    meeting_id: PathIdentifier, body: MeetingReschedule, uow: Work
) -> dict[str, Any]:
    doc = await meetings.reschedule(
        uow, meeting_id=meeting_id, starts_at=body.starts_at, duration_minutes=body.duration_minutes
    )
    return _read(uow, doc)


@router.post("/meetings/{meeting_id}/cancel", **A_CHANGE)
async def cancel(meeting_id: PathIdentifier, body: MeetingCancel, uow: Work) -> dict[str, Any]:
    return _read(uow, await meetings.cancel(uow, meeting_id=meeting_id, reason=body.reason))


@router.post("/meetings/{meeting_id}/confirm", **A_CHANGE)
async def confirm(meeting_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    """The caller, a participant, confirms they will attend this scheduled meeting
    (idempotent; a reschedule asks again). Not scheduled any more: 409."""
    return _read(uow, await meetings.confirm(uow, meeting_id=meeting_id))


@router.post("/meetings/{meeting_id}/complete", **A_CHANGE)
async def complete(meeting_id: PathIdentifier, body: MeetingComplete, uow: Work) -> dict[str, Any]:
    doc = await meetings.complete(uow, meeting_id=meeting_id, attended_ids=body.attended_ids)
    return _read(uow, doc)


@router.post("/meetings/{meeting_id}/no-show", **A_CHANGE)
async def no_show(meeting_id: PathIdentifier, body: MeetingNoShow, uow: Work) -> dict[str, Any]:
    doc = await meetings.no_show(uow, meeting_id=meeting_id, absent_ids=body.absent_ids)
    return _read(uow, doc)


@router.post("/meetings/{meeting_id}/agenda", **member_write(MeetingRead, status_code=201))
async def add_agenda_item(
    meeting_id: PathIdentifier, body: AgendaItemCreate, uow: Work
) -> dict[str, Any]:
    return _read(uow, await meeting_content.add_item(uow, meeting_id=meeting_id, text=body.text))


@router.post("/meetings/{meeting_id}/agenda/{item_id}/done", **A_CHANGE)
async def tick_agenda_item(
    meeting_id: PathIdentifier, item_id: PathIdentifier, uow: Work
) -> dict[str, Any]:
    doc = await meeting_content.tick_item(uow, meeting_id=meeting_id, item_id=item_id)
    return _read(uow, doc)


@router.post("/meetings/{meeting_id}/notes", **member_write(MeetingRead, status_code=201))
async def add_note(meeting_id: PathIdentifier, body: NoteCreate, uow: Work) -> dict[str, Any]:
    """A shared note, or (``private: true``) one only the caller will ever see."""
    doc = await meeting_content.add_note(
        uow, meeting_id=meeting_id, text=body.text, private=body.private
    )
    return _read(uow, doc)


@router.get("/meetings/{meeting_id}/invite.ics", **CALENDAR_FILE)
async def meeting_calendar(meeting_id: PathIdentifier, uow: Work) -> Response:
    """iCalendar invitation (REQUEST) or cancellation (CANCEL); stable UID, rising SEQUENCE."""
    return calendar_file(await meetings.invitation(uow, meeting_id=meeting_id))


@scheduling.post("/{relationship_id}/meetings", **idempotent_create(MeetingRead))
async def schedule_meeting(
    body: MeetingCreate,
    uow: Work,
    new: Annotated[NewIn, in_relationship("meeting")],
) -> dict[str, Any]:
    """Schedule a meeting organised by the caller (times in UTC, organiser's zone kept)."""
    doc, created = await meetings.schedule(
        uow, meeting_id=new.id, relationship_id=new.relationship_id, **dict(body)
    )
    new.answered(created=created)
    new.response.headers["Location"] = f"/meetings/{doc['_id']}"
    return _read(uow, doc)
