"""An employee's mentoring: relationships, a slot picker (the sessions API proposes
free times inside every member's working hours), meetings, the journal, feedback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import ApiError, Apis
from services.console.employee_views import (
    DURATIONS,
    JOURNAL_KINDS,
    feedback_payload,
    journal_payload,
    meeting_payload,
    my_zone,
    partners,
    slot_label,
    slot_query,
)
from services.console.views import FormError
from services.console.web import AsEmployee, apis_for, forward, page

router = APIRouter(prefix="/me")
HERE = "/me/mentoring"


async def _slots(apis: Apis, relationship_id: str, params: dict[str, str]) -> dict[str, Any]:
    """The picker's answer for one relationship: slots, or why there are none."""
    try:
        query = slot_query(params, datetime.now(UTC).date())
        found = await apis.post("sessions", f"/relationships/{relationship_id}/slots", query)
    except (FormError, ApiError) as exc:
        return {"relationship_id": relationship_id, "slots": [], "problem": str(exc)}
    return {"relationship_id": relationship_id, "slots": found, "query": query, "problem": ""}


@router.get("/mentoring")
async def mentoring(request: Request, session: AsEmployee) -> Response:
    apis = apis_for(request, session)
    relationships, meetings, stats = await asyncio.gather(
        apis.items("sessions", "/relationships"),
        apis.items("sessions", "/meetings"),
        apis.get("sessions", "/journal/stats"),
    )
    params = dict(request.query_params)
    picked = params.get("relationship_id", "")
    slots = await _slots(apis, picked, params) if picked else None
    zones = {r["id"]: my_zone(r, session.subject) for r in relationships}
    return page(
        request,
        "my_mentoring.html",
        session,
        relationships=relationships,
        meetings=sorted(meetings, key=lambda m: m["starts_at"]),
        stats=stats,
        picker=slots,
        zones=zones,
        durations=DURATIONS,
        journal_kinds=JOURNAL_KINDS,
        partners=lambda r: partners(r, session.subject),
        slot_label=slot_label,
    )


@router.post("/relationships/{relationship_id}/meetings")
async def schedule(request: Request, relationship_id: str, session: AsEmployee) -> Response:
    return await forward(
        request,
        session,
        here=HERE,
        to=("POST", "sessions", f"/relationships/{relationship_id}/meetings"),
        payload=meeting_payload,
        notice="Meeting scheduled: both of you get an invitation",
    )


@router.post("/journal")
async def write_journal(request: Request, session: AsEmployee) -> Response:
    return await forward(
        request,
        session,
        here=HERE,
        to=("POST", "sessions", "/journal"),
        payload=journal_payload,
        notice="Journal entry saved",
    )


@router.post("/meetings/{meeting_id}/feedback")
async def give_feedback(request: Request, meeting_id: str, session: AsEmployee) -> Response:
    return await forward(
        request,
        session,
        here=HERE,
        to=("POST", "sessions", f"/meetings/{meeting_id}/feedback"),
        payload=feedback_payload,
        notice="Thank you: feedback saved",
    )
