"""A round's preview: every proposed pair with its explanation, the unmatched with
their reasons, lock and forbid in place, publish."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import ApiError, Apis
from services.console.paging import offset_of, pager_of
from services.console.views import FormError, member_ids, pair_payload, pairs_of
from services.console.web import AsAdmin, apis_for, attempt, back_to, form_of, page

router = APIRouter(prefix="/admin")
#: Pairs on one page of a round (each with its bars and buttons), the unmatched on one.
PROPOSALS_PAGE = 50
UNMATCHED_PAGE = 100
UNMATCHED = "unmatched_offset"
#: People whose names one call to the matcher asks for (its page limit).
NAMES_PER_CALL = 200


async def display_names(apis: Apis, person_ids: set[str]) -> dict[str, str]:
    """Each person's name from the matcher (their id when it has none to give), in one
    call per 200 people: a page of pairs costs one call, not one per person."""
    wanted = sorted(person_ids)
    names = {p: p for p in wanted}
    for start in range(0, len(wanted), NAMES_PER_CALL):
        chunk = wanted[start : start + NAMES_PER_CALL]
        found = await apis.get("matcher", "/people", person_id=chunk, limit=NAMES_PER_CALL)
        names |= {p["person_id"]: p["display_name"] for p in found["items"]}
    return names


@router.post("/programs/{program_id}/rounds")
async def preview(request: Request, program_id: str, session: AsAdmin) -> Response:
    try:
        draft = await apis_for(request, session).post("matcher", f"/programs/{program_id}/rounds")
    except ApiError as exc:
        return back_to(f"/admin/programs/{program_id}", error=str(exc))
    return back_to(f"/admin/rounds/{draft['id']}")


@router.get("/rounds/{round_id}")
async def show_round(request: Request, round_id: str, session: AsAdmin) -> Response:
    """A page of proposals and a page of the unmatched, each with its pager, so a round
    of thousands of pairs opens as fast as one of ten."""
    apis, here = apis_for(request, session), f"/admin/rounds/{round_id}"
    params = request.query_params
    offset, unmatched_offset = offset_of(params), offset_of(params, UNMATCHED)
    draft, proposals = await asyncio.gather(
        apis.get("matcher", f"/rounds/{round_id}"),
        apis.get("matcher", f"/rounds/{round_id}/proposals", limit=PROPOSALS_PAGE, offset=offset),
    )
    unmatched = draft["unmatched"][unmatched_offset : unmatched_offset + UNMATCHED_PAGE]
    people = {p for proposal in proposals["items"] for p in member_ids(proposal)}
    people |= {u["person_id"] for u in unmatched}
    return page(
        request,
        "round.html",
        session,
        round=draft,
        proposals=proposals["items"],
        unmatched=unmatched,
        pagers={
            "proposals": pager_of(proposals["total"], here, params, "offset", PROPOSALS_PAGE),
            "unmatched": pager_of(len(draft["unmatched"]), here, params, UNMATCHED, UNMATCHED_PAGE),
        },
        names=await display_names(apis, people),
        member_ids=member_ids,
        pairs_of=pairs_of,
    )


#: What each adjustment of a draft does, as the notice after it says.
ADJUSTED = {
    "lock": "locked",
    "forbid": "forbidden",
    "swap": "swapped: each now has the other's mentor",
}


@router.post("/rounds/{round_id}/adjust")
async def adjust(request: Request, round_id: str, session: AsAdmin) -> Response:
    form = await form_of(request)
    action = form.get("action", "")

    async def adjust_one() -> str:
        if action not in ADJUSTED:
            raise FormError("Choose lock, forbid or swap")
        pair = pair_payload(form)
        path = f"/rounds/{round_id}/adjustments"
        await apis_for(request, session).post("matcher", path, {action: [pair]})
        return f"{pair['first']} and {pair['second']} {ADJUSTED[action]}"

    return await attempt(f"/admin/rounds/{round_id}", adjust_one)


@router.post("/rounds/{round_id}/publish")
async def publish(request: Request, round_id: str, session: AsAdmin) -> Response:
    apis = apis_for(request, session)
    try:
        draft = await apis.get("matcher", f"/rounds/{round_id}")
        await apis.post("matcher", f"/rounds/{round_id}/publish")
    except ApiError as exc:
        return back_to(f"/admin/rounds/{round_id}", error=str(exc))
    return back_to(
        f"/admin/programs/{draft['program_id']}",
        notice=f"Round published: {draft['proposal_count']} matches proposed",
    )
