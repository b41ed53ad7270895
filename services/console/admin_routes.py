"""A program admin's pages: programs, their weights and rules, enrollment, flagged
matches. Each form posts, the console calls the matcher, and the page is shown again
(303) with what happened; HTMX swaps the page in place when scripts run."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import ApiError, Apis
from services.console.paging import PAGE_SIZE, offset_of, pager_of
from services.console.views import (
    KINDS,
    MATCH_STARTS,
    MEMBER_ROLES,
    MODES,
    RULE_SWITCHES,
    WEIGHTS,
    FormError,
    eligibility_sentence,
    enrollment_payload,
    program_create_payload,
    program_update_payload,
    rules_payload,
)
from services.console.web import (
    AsAdmin,
    FormRoute,
    apis_for,
    attempt,
    back_to,
    form_of,
    page,
    templates,
)

router = APIRouter(prefix="/admin")
#: The program page's lists shown a page at a time, by their offset's query parameter.
PAGED_LISTS = ("enrollments_offset", "matches_offset", "relationships_offset")
FORM_CHOICES: dict[str, Any] = {
    "kinds": KINDS,
    "modes": MODES,
    "match_starts": MATCH_STARTS,
    "weights": WEIGHTS,
    "switches": RULE_SWITCHES,
    "member_roles": MEMBER_ROLES,
}


@router.get("/programs")
async def programs(request: Request, session: AsAdmin) -> Response:
    listed = await apis_for(request, session).items("matcher", "/programs")
    return page(request, "programs.html", session, programs=listed, **FORM_CHOICES)


@router.post("/programs")
async def create_program(request: Request, session: AsAdmin) -> Response:
    try:
        body = program_create_payload(await form_of(request), session.subject)
        created = await apis_for(request, session).post("matcher", "/programs", body)
    except (FormError, ApiError) as exc:
        return back_to("/admin/programs", error=str(exc))
    return back_to(f"/admin/programs/{created['id']}", notice=f"Program {created['name']} created")


async def _relationships(apis: Apis, program_id: str, **params: Any) -> dict[str, Any]:
    """A page of the program's relationships; none while sessions has not heard of the
    program yet (a program created a moment ago is a 404 there until its event arrives)."""
    try:
        return dict(await apis.get("sessions", "/relationships", program_id=program_id, **params))
    except ApiError as exc:
        if exc.status == 404:
            return {"items": [], "total": 0}
        raise


#: Relationships needing a look, in the order shown (all at once, up to ``LOOKED_AT``).
NEEDING_A_LOOK = ["at_risk", "stalled"]
LOOKED_AT = 200


@router.get("/programs/{program_id}")
async def program(request: Request, program_id: str, session: AsAdmin) -> Response:
    """The program with a page of each long list (enrollments, matches, healthy
    relationships), so a program of thousands opens as fast as one of ten; what needs
    the admin (flagged matches, relationships at risk or stalled, concerns) comes whole."""
    apis, params = apis_for(request, session), request.query_params
    offsets = {name: offset_of(params, name) for name in PAGED_LISTS}
    here = f"/admin/programs/{program_id}"
    lists = await asyncio.gather(
        apis.get("matcher", f"/programs/{program_id}"),
        apis.get(
            "matcher",
            f"/programs/{program_id}/enrollments",
            limit=PAGE_SIZE,
            offset=offsets["enrollments_offset"],
        ),
        apis.get(
            "matcher",
            "/matches",
            program_id=program_id,
            limit=PAGE_SIZE,
            offset=offsets["matches_offset"],
        ),
        apis.items("matcher", "/matches", program_id=program_id, state="flagged"),
        _relationships(apis, program_id, health=NEEDING_A_LOOK, limit=LOOKED_AT),
        _relationships(
            apis,
            program_id,
            health="healthy",
            limit=PAGE_SIZE,
            offset=offsets["relationships_offset"],
        ),
        apis.items("matcher", f"/programs/{program_id}/concerns"),
    )
    found, enrollments, matches, flagged, needing, healthy, concerns = lists
    paged = dict(zip(PAGED_LISTS, (enrollments, matches, healthy), strict=True))
    return page(
        request,
        "program.html",
        session,
        program=found,
        enrollments=enrollments,
        flagged=flagged,
        matches=matches,
        concerns=sorted(concerns, key=lambda c: (c["status"] != "open", c["created_at"])),
        needing_a_look=sorted(
            needing["items"], key=lambda r: NEEDING_A_LOOK.index(r["health"]["state"])
        ),
        healthy=healthy,
        relationship_count=needing["total"] + healthy["total"],
        pagers={name: pager_of(got["total"], here, params, name) for name, got in paged.items()},
        **FORM_CHOICES,
    )


@router.post("/programs/{program_id}/close")
async def close_program(request: Request, program_id: str, session: AsAdmin) -> Response:
    async def close() -> str:
        await apis_for(request, session).post("matcher", f"/programs/{program_id}/close")
        return "Program closed: every live match ends"

    return await attempt(f"/admin/programs/{program_id}", close)


@router.post("/programs/{program_id}/eligibility")
async def eligibility(request: Request, program_id: str, session: AsAdmin) -> Response:
    """How many enrolled people the rules on the form leave a partner, nothing saved:
    a fragment for the live preview, or the program's page again without scripts."""
    try:
        rules = rules_payload(await form_of(request))
        path = f"/programs/{program_id}/eligibility"
        text, failed = (
            eligibility_sentence(await apis_for(request, session).post("matcher", path, rules)),
            False,
        )
    except (FormError, ApiError) as exc:
        text, failed = str(exc), True
    if request.headers.get("HX-Request") != "true":
        return back_to(f"/admin/programs/{program_id}", **{"error" if failed else "notice": text})
    context = {"text": text, "failed": failed}
    return templates.TemplateResponse(request, "_eligibility.html", context)


@router.post("/matches/{match_id}/resolve")
async def resolve(request: Request, match_id: str, session: AsAdmin) -> Response:
    form = await form_of(request)

    async def resolve_one() -> str:
        body = {"action": form.get("action", "")}
        await apis_for(request, session).post("matcher", f"/matches/{match_id}/resolve", body)
        return f"Flagged match resolved: {body['action']}"

    return await attempt(f"/admin/programs/{form.get('program_id', '')}", resolve_one)


PROGRAM = "/admin/programs/{program_id}"
for route in (
    FormRoute(
        "/programs/{program_id}",
        PROGRAM,
        ("PATCH", "matcher", "/programs/{program_id}"),
        program_update_payload,
        "Saved: the next round uses these weights and rules",
    ),
    FormRoute(
        "/programs/{program_id}/enrollments",
        PROGRAM,
        ("POST", "matcher", "/programs/{program_id}/enrollments"),
        enrollment_payload,
        lambda body: f"{body['person_id']} enrolled as {body['role']}",
    ),
    FormRoute(
        "/programs/{program_id}/concerns/{concern_id}/handled",
        PROGRAM,
        ("POST", "matcher", "/programs/{program_id}/concerns/{concern_id}/handled"),
        lambda _form: None,
        "Concern marked as handled",
    ),
):
    route.add_to(router, "program_admin")
