"""Channel payloads: Slack and Teams incoming webhooks and the generic signed webhook."""

from __future__ import annotations

import json
from datetime import datetime

from shared.local_time import iso_seconds, require_utc

from .model import PlannedNotification
from .render import RenderedMessage
from .signing import SIGNATURE_HEADER, sign_webhook

__all__ = [
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


def slack_payload(message: RenderedMessage) -> dict[str, object]:
    """Slack incoming-webhook JSON: `text` fallback plus Block Kit blocks."""
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
    if message.action_url and message.action_label:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": message.action_label},
                        "url": message.action_url,
                    }
                ],
            }
        )
    return {"text": _slack_escape(message.subject), "blocks": blocks}


def teams_payload(message: RenderedMessage) -> dict[str, object]:
    """Microsoft Teams incoming-webhook (Workflows) message carrying an Adaptive Card 1.4."""
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
    if message.action_url and message.action_label:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": message.action_label, "url": message.action_url}
        ]
    return {
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
