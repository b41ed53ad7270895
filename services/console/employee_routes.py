"""An employee's pages: my matches, accept or decline."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.views import may_answer, member_ids, my_answer
from services.console.web import AsEmployee, apis_for, attempt, form_of, page

router = APIRouter(prefix="/me")


@router.get("/matches")
async def my_matches(request: Request, session: AsEmployee) -> Response:
    matches = await apis_for(request, session).items("matcher", "/matches")
    return page(
        request,
        "my_matches.html",
        session,
        matches=matches,
        others=lambda m: [p for p in member_ids(m) if p != session.subject],
        answer_of=lambda m: my_answer(m, session.subject),
        may_answer=lambda m: may_answer(m, session.subject),
    )


@router.post("/matches/{match_id}/answer")
async def answer(request: Request, match_id: str, session: AsEmployee) -> Response:
    accept = (await form_of(request)).get("answer") == "accept"

    async def answer_one() -> str:
        body = {"accept": accept}
        await apis_for(request, session).post("matcher", f"/matches/{match_id}/answer", body)
        return "Accepted" if accept else "Declined"

    return await attempt("/me/matches", answer_one)
