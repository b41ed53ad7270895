"""An employee's check-ins and safety: the private pulse checks asked of them (the
junior side of reverse mentoring), a concern reported to the program's admins, and
the people they block. None of it is ever shown to the other person."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import Apis
from services.console.safety_views import (
    block_payload,
    concern_payload,
    concern_program,
    pulse_answer_payload,
)
from services.console.views import member_ids
from services.console.web import AsEmployee, FormRoute, apis_for, attempt, form_of, page
from shared.inputs import PathIdentifier

router = APIRouter(prefix="/me")
HERE = "/me/safety"


async def _my_matches(apis: Apis, me: str) -> list[dict[str, Any]]:
    """My matches, each with the others in it (for the concern and block forms)."""
    matches = await apis.items("matcher", "/matches")
    return [{**m, "others": [p for p in member_ids(m) if p != me]} for m in matches]


@router.get("/safety")
async def safety(request: Request, session: AsEmployee) -> Response:
    apis = apis_for(request, session)
    pulses, matches, blocks = await asyncio.gather(
        apis.get("sessions", "/pulses/mine"),
        _my_matches(apis, session.subject),
        apis.items("matcher", "/people/me/blocks"),
    )
    return page(
        request,
        "safety.html",
        session,
        open_pulses=[p for p in pulses if p["status"] == "open"],
        answered_pulses=[p for p in pulses if p["status"] != "open"],
        matches=matches,
        partners=sorted({p for m in matches for p in m["others"]}),
        blocks=blocks,
    )


@router.post("/concerns")
async def report_concern(request: Request, session: AsEmployee) -> Response:
    async def report() -> str:
        form = await form_of(request)
        apis = apis_for(request, session)
        mine = {m["id"]: m["program_id"] for m in await _my_matches(apis, session.subject)}
        program_id = concern_program(form, mine)
        await apis.post("matcher", f"/programs/{program_id}/concerns", concern_payload(form))
        return "Concern sent to the program's admins: only they can read it"

    return await attempt(HERE, report)


@router.post("/blocks/{person_id}/lift")
async def unblock(request: Request, person_id: PathIdentifier, session: AsEmployee) -> Response:
    async def lift() -> str:
        await apis_for(request, session).call("DELETE", "matcher", f"/people/me/blocks/{person_id}")
        return f"{person_id} is no longer blocked"

    return await attempt(HERE, lift)


for route in (
    FormRoute(
        "/pulses/{pulse_id}/answer",
        HERE,
        ("POST", "sessions", "/pulses/{pulse_id}/answer"),
        pulse_answer_payload,
        "Thank you: your answers stay private",
    ),
    FormRoute(
        "/blocks",
        HERE,
        ("POST", "matcher", "/people/me/blocks"),
        block_payload,
        lambda body: f"{body['person_id']} is blocked: you will not be matched again",
    ),
):
    route.add_to(router, "employee")
