"""The chat tools' inbound endpoints: Slack's interactivity Request URL and the Teams
bot's messaging endpoint. No bearer token of the platform: each request proves its
sender by the chat tool's signature (``chat_verification``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from services.notifications import chat_actions
from services.notifications.chat_verification import (
    SLACK_SIGNATURE,
    SLACK_TIMESTAMP,
    ChatRequestRefused,
)
from services.notifications.deps import ChatWork, TeamsVerifier
from services.notifications.domain.chat_actions import UnknownChatAction

router = APIRouter(prefix="/chat", tags=["chat"])

REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Not an action this platform offers, or unreadable."},
    401: {"description": "Unsigned, wrongly signed, stale or replayed: nothing was done."},
}


def _refused(exc: Exception, status: int, challenge: str | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": challenge} if challenge else None
    return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)


#: Declared by hand: the signature covers the raw body, which a parsed form would consume.
SLACK_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["payload"],
                    "properties": {
                        "payload": {
                            "type": "string",
                            "description": "Slack's block_actions interaction payload (JSON).",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "/slack/actions", responses=REFUSALS, summary="A Slack block action", openapi_extra=SLACK_FORM
)
async def slack_actions(
    request: Request,
    uow: ChatWork,
    timestamp: Annotated[str | None, Header(alias=SLACK_TIMESTAMP)] = None,
    signature: Annotated[str | None, Header(alias=SLACK_SIGNATURE)] = None,
) -> JSONResponse:
    """A click on a button of a notification in Slack (``block_actions``): accept or
    decline a match, confirm a meeting, log a small win. Answered with an ephemeral
    message for the person who clicked; the action itself is applied by the service
    that owns its target, shortly after."""
    try:
        answer = await chat_actions.slack_request(uow, await request.body(), request.headers)
    except ChatRequestRefused as exc:
        return _refused(exc, 401, 'Signature realm="slack"')
    except UnknownChatAction as exc:
        return _refused(exc, 400)
    return JSONResponse(answer)


TEAMS_ACTIVITY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "A Bot Framework invoke activity (adaptiveCard/action).",
                }
            }
        },
    }
}


@router.post(
    "/teams/actions",
    responses=REFUSALS,
    summary="A Teams Adaptive Card Action.Execute",
    openapi_extra=TEAMS_ACTIVITY,
)
async def teams_actions(
    request: Request,
    uow: ChatWork,
    verifier: TeamsVerifier,
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """An ``Action.Execute`` on a notification's card in Teams (an ``invoke`` activity
    named ``adaptiveCard/action``), with the Bot Framework's bearer token (checked
    before the body is read). Answered with the invoke response (a message for the
    person who clicked)."""
    try:
        answer = await chat_actions.teams_request(
            uow, verifier, authorization, await request.body()
        )
    except ChatRequestRefused as exc:
        return _refused(exc, 401, 'Bearer realm="teams"')
    except UnknownChatAction as exc:
        return _refused(exc, 400)
    return JSONResponse(answer)
