"""Channel payloads: Slack and Teams incoming webhooks and the generic signed webhook."""

from __future__ import annotations

import json
from datetime import datetime

from shared.local_time import iso_seconds, require_utc

from .chat_actions import ChatButton, slack_buttons, teams_buttons
from .model import PlannedNotification
from .render import RenderedMessage
from .signing import SIGNATURE_HEADER, sign_webhook

__all__ = [
    "SLACK_METADATA_TYPE",
    "slack_payload",
    "teams_payload",
    "webhook_body",
    "webhook_request",
    "WEBHOOK_SCHEMA_VERSION",
]

WEBHOOK_SCHEMA_VERSION = 1
_SLACK_HEADER_LIMIT = 150
_SLACK_SECTION_LIMIT = 3000


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


#: The Slack message metadata type that carries a delivery's de-duplication key.
SLACK_METADATA_TYPE = "mentoring_notification"


def slack_payload(
    message: RenderedMessage, buttons: tuple[ChatButton, ...] = (), *, delivery_key: str = ""
) -> dict[str, object]:
    """Slack incoming-webhook JSON: `text` fallback plus Block Kit blocks, the action
    buttons first, and the delivery key in the message metadata (a receiver, or a
    reconciliation reading the channel history, recognises a second post by it)."""
    blocks: list[dict[str, object]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _clip(message.subject, _SLACK_HEADER_LIMIT)},
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": _clip(_slack_escape(message.text), _SLACK_SECTION_LIMIT),
            },
        },
    ]
    elements = slack_buttons(buttons)
    if message.action_url and message.action_label:
        elements.append(
            {
                "type": "button",
                "text": {"type": "plain_text", "text": message.action_label},
                "url": message.action_url,
            }
        )
    if elements:
        blocks.append({"type": "actions", "elements": elements})
    payload: dict[str, object] = {"text": _slack_escape(message.subject), "blocks": blocks}
    if delivery_key:
        payload["metadata"] = {
            "event_type": SLACK_METADATA_TYPE,
            "event_payload": {"delivery_key": delivery_key},
        }
    return payload


def teams_payload(
    message: RenderedMessage, buttons: tuple[ChatButton, ...] = (), *, delivery_key: str = ""
) -> dict[str, object]:
    """Microsoft Teams incoming-webhook (Workflows) message carrying an Adaptive Card 1.4,
    its ``Action.Execute`` buttons first; the delivery key is the activity's ``id``."""
    card: dict[str, object] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": message.subject,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {"type": "TextBlock", "text": message.text, "wrap": True},
        ],
    }
    actions = teams_buttons(buttons)
    if message.action_url and message.action_label:
        actions.append(
            {"type": "Action.OpenUrl", "title": message.action_label, "url": message.action_url}
        )
    if actions:
        card["actions"] = actions
    return {
        **({"id": delivery_key} if delivery_key else {}),
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def webhook_body(
    planned: PlannedNotification, message: RenderedMessage, *, sent_at: datetime
) -> bytes:
    """Canonical JSON body of the generic webhook (sorted keys, UTF-8)."""
    document = {
        "schema_version": WEBHOOK_SCHEMA_VERSION,
        "id": planned.key,
        "type": str(planned.type),
        "recipient_id": planned.recipient_id,
        "subject_id": planned.subject_id,
        "due_at": iso_seconds(planned.due_at),
        "sent_at": iso_seconds(require_utc(sent_at, "sent_at")),
        "mandatory": planned.mandatory,
        "data": {k: list(v) if isinstance(v, tuple) else v for k, v in planned.payload.items()},
        "message": {
            "subject": message.subject,
            "text": message.text,
            "action_url": message.action_url,
        },
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def webhook_request(
    planned: PlannedNotification, message: RenderedMessage, secret: str | bytes, *, now: datetime
) -> tuple[bytes, dict[str, str]]:
    """Body and headers (content type, idempotency key, signature) for the generic webhook."""
    body = webhook_body(planned, message, sent_at=now)
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": planned.key,
        SIGNATURE_HEADER: sign_webhook(body, secret, now=now),
    }
    return body, headers
