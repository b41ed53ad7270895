"""Self-match for an employee: the partners a self-match program suggests to them,
each with why, and a request to one (the partner answers it in their matches)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import ApiError
from services.console.views import text_in
from services.console.web import AsEmployee, apis_for, attempt, form_of, page
from shared.inputs import PathIdentifier

router = APIRouter(prefix="/me/partners")
SUGGESTIONS_SHOWN = 10


@router.get("")
async def partners(request: Request, session: AsEmployee) -> Response:
    apis = apis_for(request, session)
    programs = [
        p
        for p in await apis.items("matcher", "/programs")
        if p["matching_mode"] == "self_match" and p["status"] == "open"
    ]
    chosen = request.query_params.get("program_id", "") or (programs[0]["id"] if programs else "")
    suggestions, problem = [], ""
    if chosen:
        try:
            suggestions = await apis.get(
                "matcher", f"/programs/{chosen}/suggestions", limit=SUGGESTIONS_SHOWN
            )
        except ApiError as exc:
            if exc.status not in (404, 409):
                raise
            problem = exc.message
    return page(
        request,
        "partners.html",
        session,
        programs=programs,
        chosen=chosen,
        suggestions=suggestions,
        problem=problem,
    )


@router.post("/{program_id}/requests")
async def request_partner(
    request: Request, program_id: PathIdentifier, session: AsEmployee
) -> Response:
    async def send() -> str:
        partner = text_in(await form_of(request), "partner_id", required=True)
        path = f"/programs/{program_id}/requests"
        await apis_for(request, session).post("matcher", path, {"partner_id": partner})
        return f"Request sent to {partner}: they answer it in their matches"

    return await attempt(f"/me/partners?program_id={program_id}", send)
