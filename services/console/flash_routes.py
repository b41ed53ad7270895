"""Flash mentoring for employees: the open flash programs, offer slots on a topic, book
someone else's, withdraw my open offer, cancel a booking. Every call goes to the
sessions API (the programs to the matcher) with the person's own token."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import ApiError, Apis
from services.console.employee_views import my_zone, partners
from services.console.flash_views import (
    BOOKING_REFUSALS,
    MAX_MINUTES,
    MIN_MINUTES,
    PAGE_SIZE,
    SLOT_FIELDS,
    booked_offer_id,
    my_flash_sessions,
    offer_payload,
    offered,
    offers_query,
    open_flash_programs,
    when,
    zone_to_offer_in,
)
from services.console.paging import offset_of, pages
from services.console.views import FormError
from services.console.web import AsEmployee, FormRoute, apis_for, attempt, page
from shared.inputs import PathIdentifier

router = APIRouter(prefix="/me")
HERE = "/me/flash?program_id={program_id}"


async def _offers(apis: Apis, program_id: str, params: dict[str, str]) -> dict[str, Any]:
    """One page of the program's open offers, or why it cannot be read."""
    offset = offset_of(params)
    try:
        query = offers_query(params, offset)
        found = await apis.get("sessions", f"/programs/{program_id}/offers", **query)
    except (FormError, ApiError) as exc:
        return {"items": [], "total": 0, "problem": str(exc), "pager": pages(0, 0)}
    pager = pages(found["total"], offset, PAGE_SIZE)
    return {**found, "problem": "", "pager": pager}


async def _sessions(apis: Apis, relationships: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """My booked sessions to come, each with the offer it was booked on."""
    booked = my_flash_sessions(relationships)
    offers = await asyncio.gather(*(_offer(apis, booked_offer_id(r)) for r in booked))
    return [{"relationship": r, "offer": o} for r, o in zip(booked, offers, strict=True) if o]


async def _offer(apis: Apis, offer_id: str) -> dict[str, Any] | None:
    """The offer, or ``None`` if it cannot be read (the rest of the page still shows)."""
    try:
        return dict(await apis.get("sessions", f"/offers/{offer_id}"))
    except ApiError:
        return None


@router.get("/flash")
async def flash(request: Request, session: AsEmployee) -> Response:
    apis = apis_for(request, session)
    programs, relationships = await asyncio.gather(
        apis.items("matcher", "/programs", kind="flash"),
        apis.items("sessions", "/relationships"),
    )
    shown = open_flash_programs(programs)
    params = dict(request.query_params)
    chosen = params.get("program_id") or (shown[0]["id"] if shown else "")
    offers = await _offers(apis, chosen, params) if chosen else None
    zones = [my_zone(r, session.subject) for r in relationships]
    return page(
        request,
        "flash.html",
        session,
        programs=shown,
        chosen=chosen,
        offers=offers,
        params=params,
        sessions=await _sessions(apis, relationships),
        my_zone=zone_to_offer_in(offers["items"] if offers else [], zones),
        partners=lambda r: partners(r, session.subject),
        when=when,
        slot_fields=range(1, SLOT_FIELDS + 1),
        minutes=(MIN_MINUTES, MAX_MINUTES),
    )


@router.post("/flash/programs/{program_id}/offers/{offer_id}/book")
async def book(
    request: Request, program_id: PathIdentifier, offer_id: PathIdentifier, session: AsEmployee
) -> Response:
    async def book_it() -> str:
        try:
            await apis_for(request, session).post("sessions", f"/offers/{offer_id}/booking")
        except ApiError as exc:
            if exc.status in BOOKING_REFUSALS:
                raise ApiError(exc.status, BOOKING_REFUSALS[exc.status]) from exc
            raise
        return "Booked: the meeting is in My mentoring"

    return await attempt(HERE.format(program_id=program_id), book_it)


for route in (
    FormRoute(
        "/flash/programs/{program_id}/offers",
        HERE,
        ("POST", "sessions", "/programs/{program_id}/offers"),
        offer_payload,
        offered,
    ),
    FormRoute(
        "/flash/programs/{program_id}/offers/{offer_id}/withdraw",
        HERE,
        ("POST", "sessions", "/offers/{offer_id}/withdraw"),
        lambda _form: None,
        "Offer withdrawn",
    ),
    FormRoute(
        "/flash/programs/{program_id}/offers/{offer_id}/cancel",
        HERE,
        ("POST", "sessions", "/offers/{offer_id}/booking/cancel"),
        lambda _form: {},
        "Booking cancelled: the meeting is cancelled with it",
    ),
):
    route.add_to(router, "employee")
