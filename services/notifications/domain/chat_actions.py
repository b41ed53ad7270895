"""Actions in chat: which buttons a message carries, and what a click asks for.

A chat message about a proposed match offers Accept and Decline, one about a scheduled
meeting Confirm, a feedback request after a held meeting "Log a small win". A button
names its action and its target (Slack: ``action_id`` and ``value``; Teams
``Action.Execute``: ``verb`` and ``data.target_id``), so the click that comes back says
what to do to what, and nothing else: who clicked comes from the verified request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.contracts.chat import ChatAction, ChatChannel

from .errors import InvalidInput
from .model import NotificationType

__all__ = [
    "ChatButton",
    "ChatClick",
    "UnknownChatAction",
    "buttons_for",
    "slack_buttons",
    "teams_buttons",
    "slack_click",
    "teams_click",
    "slack_answer",
    "teams_answer",
    "answer_text",
    "UNKNOWN_PERSON",
]

T = NotificationType
A = ChatAction

_ANSWER = ((A.MATCH_ACCEPT, "Accept", "primary"), (A.MATCH_DECLINE, "Decline", "danger"))
_CONFIRM = ((A.MEETING_CONFIRM, "Confirm", "primary"),)
#: The buttons of each notification type that offers any, with their labels and style.
_BUTTONS: Mapping[NotificationType, tuple[tuple[ChatAction, str, str | None], ...]] = {
    T.MATCH_PROPOSED: _ANSWER,
    T.MATCH_EXPIRY_REMINDER: _ANSWER,
    T.MEETING_SCHEDULED: _CONFIRM,
    T.MEETING_RESCHEDULED: _CONFIRM,
    T.FEEDBACK_REQUEST: ((A.JOURNAL_WIN, "Log a small win", None),),
}
_TARGET_LIMIT = 200


class UnknownChatAction(InvalidInput):
    """A click this platform never offered, or cannot read (its action, target or
    clicker missing): answered 400."""


@dataclass(frozen=True)
class ChatButton:
    action: ChatAction
    target_id: str
    label: str
    style: str | None = None


@dataclass(frozen=True)
class ChatClick:
    """One verified person's click: ``click_id`` is the chat tool's id of the click."""

    channel: ChatChannel
    chat_user_id: str
    click_id: str
    action: ChatAction
    target_id: str


def buttons_for(notification_type: NotificationType, subject_id: str) -> tuple[ChatButton, ...]:
    """The action buttons a notification's chat message carries (its subject is the target)."""
    return tuple(
        ChatButton(action, subject_id, label, style)
        for action, label, style in _BUTTONS.get(notification_type, ())
    )


def slack_buttons(buttons: tuple[ChatButton, ...]) -> list[dict[str, object]]:
    """Block Kit ``button`` elements: ``action_id`` names the action, ``value`` the target."""
    elements: list[dict[str, object]] = []
    for button in buttons:
        element: dict[str, object] = {
            "type": "button",
            "action_id": str(button.action),
            "value": button.target_id,
            "text": {"type": "plain_text", "text": button.label},
        }
        if button.style:
            element["style"] = button.style
        elements.append(element)
    return elements


def teams_buttons(buttons: tuple[ChatButton, ...]) -> list[dict[str, object]]:
    """Adaptive Card ``Action.Execute``: ``verb`` names the action, ``data`` the target."""
    return [
        {
            "type": "Action.Execute",
            "title": button.label,
            "verb": str(button.action),
            "data": {"target_id": button.target_id},
            **(
                {"style": "positive" if button.style == "primary" else "destructive"}
                if button.style
                else {}
            ),
        }
        for button in buttons
    ]


def _object(value: object) -> Mapping[str, Any]:
    """A JSON object of the request, or an empty one (what it lacks is refused below)."""
    return value if isinstance(value, dict) else {}


def _click(
    channel: ChatChannel, *, user: object, click: object, action: object, target: object
) -> ChatClick:
    """The click, once each part is readable and the action is one we offer."""
    for value, what in ((user, "user id"), (click, "click id")):
        if not isinstance(value, str) or not value:
            raise UnknownChatAction(f"the chat request has no {what}")
    try:
        chosen = ChatAction(str(action))
    except ValueError:
        raise UnknownChatAction(f"unknown chat action {str(action)[:60]!r}") from None
    if not isinstance(target, str) or not 0 < len(target) <= _TARGET_LIMIT:
        raise UnknownChatAction(f"chat action {chosen} without a readable target id")
    return ChatClick(channel, str(user), str(click), chosen, target)


def slack_click(payload_text: str) -> ChatClick:
    """The click in a Slack ``block_actions`` interaction (the form's ``payload`` field).
    The click id is Slack's ``trigger_id``, unique to one interaction."""
    try:
        payload: Any = json.loads(payload_text)
    except ValueError:
        raise UnknownChatAction("the Slack payload is not JSON") from None
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        raise UnknownChatAction("only Slack block_actions interactions are handled")
    actions = payload.get("actions")
    if not isinstance(actions, list) or len(actions) != 1 or not isinstance(actions[0], dict):
        raise UnknownChatAction("a Slack interaction must carry exactly one action")
    return _click(
        ChatChannel.SLACK,
        user=_object(payload.get("user")).get("id"),
        click=payload.get("trigger_id"),
        action=actions[0].get("action_id"),
        target=actions[0].get("value"),
    )


def teams_click(activity: Mapping[str, Any]) -> ChatClick:
    """The click in a Bot Framework ``invoke`` activity named ``adaptiveCard/action``.
    The click id is the activity's ``id``."""
    if activity.get("type") != "invoke" or activity.get("name") != "adaptiveCard/action":
        raise UnknownChatAction("only adaptiveCard/action invoke activities are handled")
    execute = _object(_object(activity.get("value")).get("action"))
    if execute.get("type") != "Action.Execute":
        raise UnknownChatAction("only Action.Execute is handled")
    return _click(
        ChatChannel.TEAMS,
        user=_object(activity.get("from")).get("aadObjectId"),
        click=activity.get("id"),
        action=execute.get("verb"),
        target=_object(execute.get("data")).get("target_id"),
    )


_DONE = {
    A.MATCH_ACCEPT: "Thanks: your acceptance of the match is on its way.",
    A.MATCH_DECLINE: "Thanks: your answer to the match is on its way.",
    A.MEETING_CONFIRM: "Thanks: your attendance is confirmed.",
    A.JOURNAL_WIN: "A small win is in your journal: open it to add what happened.",
}
UNKNOWN_PERSON = (
    "We could not find you on the mentoring platform: ask your program admin to link "
    "your chat account."
)


def answer_text(action: ChatAction | None) -> str:
    """What the person reads after a click (``None``: they were not recognised)."""
    return UNKNOWN_PERSON if action is None else _DONE[action]


def slack_answer(action: ChatAction | None) -> dict[str, object]:
    """An ephemeral reply, seen by the clicking person only."""
    return {"response_type": "ephemeral", "replace_original": False, "text": answer_text(action)}


def teams_answer(action: ChatAction | None) -> dict[str, object]:
    """The invoke response of ``adaptiveCard/action``: a message shown to the clicker."""
    return {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": answer_text(action),
    }
