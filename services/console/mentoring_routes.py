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
    GOALS_MET,
    JOURNAL_KINDS,
    feedback_payload,
    journal_payload,
    meeting_payload,
    my_zone,
    partners,
    slot_label,
    slot_query,
    survey_payload,
)
from services.console.views import FormError
from services.console.web import AsEmployee, FormRoute, apis_for, page

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
        goals_met=GOALS_MET,
        partners=lambda r: partners(r, session.subject),
        slot_label=slot_label,
    )


for route in (
    FormRoute(
        "/relationships/{relationship_id}/meetings",
        HERE,
        ("POST", "sessions", "/relationships/{relationship_id}/meetings"),
        meeting_payload,
        "Meeting scheduled: both of you get an invitation",
    ),
    FormRoute(
        "/journal", HERE, ("POST", "sessions", "/journal"), journal_payload, "Journal entry saved"
    ),
    FormRoute(
        "/meetings/{meeting_id}/feedback",
        HERE,
        ("POST", "sessions", "/meetings/{meeting_id}/feedback"),
        feedback_payload,
        "Thank you: feedback saved",
    ),
    FormRoute(
        "/relationships/{relationship_id}/survey",
        HERE,
        ("POST", "sessions", "/relationships/{relationship_id}/survey"),
        survey_payload,
        "Thank you: your closing survey is saved",
    ),
):
    route.add_to(router, "employee")
