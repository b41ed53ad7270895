"""An employee's inbox (the notifications API's in-app channel) and notification
preferences, and the calendar invitation of a meeting as a download."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.inbox_views import CHANNELS, OPTIONAL_NOTICES, preferences_payload
from services.console.web import AsEmployee, apis_for, attempt, form_of, page
from shared.inputs import PathIdentifier

router = APIRouter(prefix="/me")
HERE = "/me/inbox"


@router.get("/inbox")
async def inbox(request: Request, session: AsEmployee) -> Response:
    apis = apis_for(request, session)
    messages, preferences = await asyncio.gather(
        apis.get("notifications", "/inbox", limit=50),
        apis.get("notifications", f"/people/{session.subject}/preferences"),
    )
    return page(
        request,
        "my_inbox.html",
        session,
        messages=messages["items"],
        unread=sum(not m["read"] for m in messages["items"]),
        total=messages["total"],
        preferences=preferences,
        channels=CHANNELS,
        optional_notices=OPTIONAL_NOTICES,
    )


@router.post("/inbox/{message_id}/read")
async def mark_read(request: Request, message_id: PathIdentifier, session: AsEmployee) -> Response:
    async def read() -> str:
        await apis_for(request, session).post("notifications", f"/inbox/{message_id}/read")
        return "Marked as read"

    return await attempt(HERE, read)


@router.post("/preferences")
async def save_preferences(request: Request, session: AsEmployee) -> Response:
    async def save() -> str:
        apis = apis_for(request, session)
        path = f"/people/{session.subject}/preferences"
        body = preferences_payload(await form_of(request), await apis.get("notifications", path))
        await apis.call("PUT", "notifications", path, json=body)
        return "Preferences saved"

    return await attempt(HERE, save)


@router.get("/meetings/{meeting_id}/invite.ics")
async def invitation(request: Request, meeting_id: PathIdentifier, session: AsEmployee) -> Response:
    """The sessions API's invitation, downloaded with the person's own token (a link
    in the browser cannot carry it)."""
    calendar = await apis_for(request, session).get(
        "sessions", f"/meetings/{meeting_id}/invite.ics"
    )
    return Response(
        str(calendar),
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.ics"'},
    )
