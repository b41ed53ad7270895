"""A round's preview: every proposed pair with its explanation, the unmatched with
their reasons, lock and forbid in place, publish."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import ApiError, Apis
from services.console.views import FormError, member_ids, pair_payload, pairs_of
from services.console.web import AsAdmin, apis_for, attempt, back_to, form_of, page

router = APIRouter(prefix="/admin")


async def display_names(apis: Apis, person_ids: set[str]) -> dict[str, str]:
    """Each person's name from the matcher (their id when it has none to give)."""

    async def one(person_id: str) -> tuple[str, str]:
        try:
            return person_id, (await apis.get("matcher", f"/people/{person_id}"))["display_name"]
        except ApiError:
            return person_id, person_id

    return dict(await asyncio.gather(*(one(p) for p in sorted(person_ids))))


@router.post("/programs/{program_id}/rounds")
async def preview(request: Request, program_id: str, session: AsAdmin) -> Response:
    try:
        draft = await apis_for(request, session).post("matcher", f"/programs/{program_id}/rounds")
    except ApiError as exc:
        return back_to(f"/admin/programs/{program_id}", error=str(exc))
    return back_to(f"/admin/rounds/{draft['id']}")


@router.get("/rounds/{round_id}")
async def show_round(request: Request, round_id: str, session: AsAdmin) -> Response:
    apis = apis_for(request, session)
    draft, proposals = await asyncio.gather(
        apis.get("matcher", f"/rounds/{round_id}"),
        apis.items("matcher", f"/rounds/{round_id}/proposals"),
    )
    people = {p for proposal in proposals for p in member_ids(proposal)}
    people |= {u["person_id"] for u in draft["unmatched"]}
    return page(
        request,
        "round.html",
        session,
        round=draft,
        proposals=proposals,
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
