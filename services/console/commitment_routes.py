"""A relationship's goals and action items, for its members: set, achieve, drop,
complete. Each form goes to the sessions API with the member's own token."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.commitment_views import action_item_payload, goal_payload
from services.console.employee_views import partners
from services.console.web import AsEmployee, FormRoute, apis_for, page
from shared.inputs import PathIdentifier

router = APIRouter(prefix="/me")
HERE = "/me/relationships/{relationship_id}/commitments"


@router.get("/relationships/{relationship_id}/commitments")
async def commitments(
    request: Request, relationship_id: PathIdentifier, session: AsEmployee
) -> Response:
    apis = apis_for(request, session)
    base = f"/relationships/{relationship_id}"
    relationship, goals, items = await asyncio.gather(
        apis.get("sessions", base),
        apis.items("sessions", f"{base}/goals"),
        apis.items("sessions", f"{base}/action-items"),
    )
    return page(
        request,
        "commitments.html",
        session,
        relationship=relationship,
        partners=partners(relationship, session.subject),
        goals=goals,
        open_goals=[g for g in goals if g["status"] == "open"],
        items=sorted(items, key=lambda i: (i["status"] != "open", i["due_on"])),
        today=datetime.now(UTC).date().isoformat(),
    )


def _action_item(form: dict[str, str]) -> dict[str, Any]:
    return action_item_payload(form, today=datetime.now(UTC).date())


for route in (
    FormRoute(
        "/relationships/{relationship_id}/goals",
        HERE,
        ("POST", "sessions", "/relationships/{relationship_id}/goals"),
        goal_payload,
        lambda body: f"Goal set: {body['title']}",
    ),
    FormRoute(
        "/relationships/{relationship_id}/action-items",
        HERE,
        ("POST", "sessions", "/relationships/{relationship_id}/action-items"),
        _action_item,
        lambda body: f"Action item added: {body['description']}",
    ),
    *(
        FormRoute(
            f"/relationships/{{relationship_id}}/{kind}/{{item_id}}/{verb}",
            HERE,
            ("POST", "sessions", f"/{kind}/{{item_id}}/{verb}"),
            lambda _form: None,
            notice,
        )
        for kind, verb, notice in (
            ("goals", "achieve", "Goal achieved: well done"),
            ("goals", "drop", "Goal dropped"),
            ("action-items", "complete", "Action item done"),
            ("action-items", "drop", "Action item dropped"),
        )
    ),
):
    route.add_to(router, "employee")
