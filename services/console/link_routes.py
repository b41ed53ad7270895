"""The links in the notifier's messages land here: each path the notifier writes
(``services/notifications/messages.py``, after ``NOTIFICATIONS_APP_BASE_URL``) opens
the console page that shows it. Signing in first when needed."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from services.console.web import SignedIn
from shared.inputs import PathIdentifier

router = APIRouter()


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/matches/{match_id}")
async def match(match_id: PathIdentifier, _session: SignedIn) -> RedirectResponse:
    return _to("/me/matches")


@router.get("/relationships/{relationship_id}")
@router.get("/relationships/{relationship_id}/survey")
@router.get("/meetings/{meeting_id}")
@router.get("/meetings/{meeting_id}/feedback")
@router.get("/journal")
async def mentoring(_session: SignedIn) -> RedirectResponse:
    return _to("/me/mentoring")


@router.get("/relationships/{relationship_id}/action-items")
async def commitments(relationship_id: PathIdentifier, _session: SignedIn) -> RedirectResponse:
    return _to(f"/me/relationships/{relationship_id}/commitments")


@router.get("/inbox")
async def inbox(_session: SignedIn) -> RedirectResponse:
    return _to("/me/inbox")


@router.get("/pulses/{pulse_id}")
async def pulse(pulse_id: PathIdentifier, _session: SignedIn) -> RedirectResponse:
    return _to("/me/safety")


@router.get("/programs/{program_id}/suggestions")
async def suggestions(program_id: PathIdentifier, _session: SignedIn) -> RedirectResponse:
    return _to(f"/me/partners?program_id={program_id}")


@router.get("/admin/programs/{program_id}/concerns/{concern_id}")
async def concern(
    program_id: PathIdentifier, concern_id: PathIdentifier, _session: SignedIn
) -> RedirectResponse:
    return _to(f"/admin/programs/{program_id}#concerns")


@router.get("/admin/programs/{program_id}/relationships/{relationship_id}")
async def relationship_health(
    program_id: PathIdentifier, relationship_id: PathIdentifier, _session: SignedIn
) -> RedirectResponse:
    return _to(f"/admin/programs/{program_id}#health")
