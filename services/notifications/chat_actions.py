"""Actions taken in chat: a verified click becomes a command for the service that owns
its target.

The notifier owns no match, meeting or journal: it records the click once (the chat
tool's id of the click is the action id) with its ``chat.action.requested`` command
staged on the same document (outbox: published exactly when the click is accepted),
and the matcher or sessions applies it with the person as the caller, through the same
service functions as their REST routes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from services.notifications.chat_verification import (
    ChatRequestRefused,
    TeamsTokenVerifier,
    verify_slack,
)
from services.notifications.domain.chat_actions import (
    ChatClick,
    slack_answer,
    slack_click,
    teams_answer,
    teams_click,
)
from services.notifications.unit_of_work import Work
from shared.contracts.chat import ChatAction, ChatActionRequested
from shared.contracts.registry import CHAT_ACTIONS

#: How long a seen signature, activity id or click id is remembered: well past the
#: window in which the chat tool's request could still pass the freshness check.
REMEMBERED = timedelta(days=1)


def action_id_of(click: ChatClick) -> str:
    return f"{click.channel}:{click.click_id}"


async def refuse_replays(uow: Work, seen_keys: Sequence[str]) -> None:
    """Remember each key that makes the request unique; one seen before is a replay."""
    for key in seen_keys:
        if not await uow.store.first_sighting(key, expires_at=uow.now + REMEMBERED):
            raise ChatRequestRefused("replayed: this request was received before")


async def receive_click(uow: Work, click: ChatClick) -> ChatAction | None:
    """Turn a verified click into its command; ``None`` when the chat user is no
    person we know (nothing is done, and they are told so)."""
    person_id = await uow.store.person_of_chat_user(str(click.channel), click.chat_user_id)
    if person_id is None:
        return None
    action_id = action_id_of(click)
    command = ChatActionRequested(
        action_id=action_id,
        person_id=person_id,
        action=click.action,
        target_id=click.target_id,
        channel=click.channel,
    )
    doc = {
        "_id": action_id,
        "person_id": person_id,
        "action": str(click.action),
        "target_id": click.target_id,
        "channel": str(click.channel),
        "received_at": uow.now,
        "expires_at": uow.now + REMEMBERED,
    }
    staged = uow.stage(doc, CHAT_ACTIONS, command, subject=person_id, event_id=action_id)
    if not await uow.store.record_chat_action(staged):
        raise ChatRequestRefused("replayed: this action was received before")
    return click.action


async def slack_request(uow: Work, body: bytes, headers: Mapping[str, str]) -> dict[str, object]:
    """A Slack interactivity request (``payload=<json>``, form-encoded): signed by Slack,
    fresh, never seen before; answered with an ephemeral message for the clicker."""
    settings = uow.settings
    secret = settings.slack_signing_secret
    signature = verify_slack(
        secret.get_secret_value() if secret is not None else None,
        body,
        headers,
        now=uow.now,
        window_s=settings.chat_request_window_s,
    )
    await refuse_replays(uow, [f"slack:signature:{signature}"])
    form = parse_qs(body.decode("utf-8", errors="replace"))
    click = slack_click((form.get("payload") or [""])[0])
    return slack_answer(await receive_click(uow, click))


def _json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or an empty one (refused as no action once the sender
    is known: 401 comes before 400)."""
    try:
        value = json.loads(body or b"null")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def teams_request(
    uow: Work, verifier: TeamsTokenVerifier, authorization: str | None, body: bytes
) -> dict[str, object]:
    """A Bot Framework ``adaptiveCard/action`` invoke: its token verified, its activity id
    never seen before; answered with the invoke response the card shows."""
    activity = _json_object(body)
    await verifier.verify(authorization, activity)
    activity_id = activity.get("id")
    if isinstance(activity_id, str) and activity_id:
        await refuse_replays(uow, [f"teams:activity:{activity_id}"])
    return teams_answer(await receive_click(uow, teams_click(activity)))
