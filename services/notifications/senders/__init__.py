"""Channel adapters behind one small protocol (``Sender``), built from settings."""

from __future__ import annotations

from collections.abc import Mapping

from services.notifications.domain.model import Channel
from services.notifications.senders.base import (
    Outgoing,
    Recipient,
    Sender,
    SendFailed,
    Undeliverable,
)
from services.notifications.senders.chat import SlackSender, TeamsSender
from services.notifications.senders.email import EmailSender
from services.notifications.senders.http import http_client
from services.notifications.senders.inbox import InboxSender
from services.notifications.senders.webhook import WebhookSender
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore

Senders = Mapping[Channel, Sender]


def build_senders(
    settings: NotificationsSettings, store: NotificationsStore
) -> dict[Channel, Sender]:
    """Every channel's adapter, configured from settings (one HTTP client shared)."""
    client = http_client(settings.http_timeout_s, settings.dispatch_concurrency)
    return {
        Channel.EMAIL: EmailSender(settings),
        Channel.SLACK: SlackSender(client, default_url=settings.slack_webhook_url),
        Channel.TEAMS: TeamsSender(client, default_url=settings.teams_webhook_url),
        Channel.WEBHOOK: WebhookSender(
            client, secret=settings.webhook_secret, default_url=settings.webhook_url
        ),
        Channel.INBOX: InboxSender(store),
    }


async def close_senders(senders: Senders) -> None:
    closed: set[int] = set()
    for sender in senders.values():
        client = getattr(sender, "client", None)
        if client is not None:
            if id(client) in closed:
                continue
            closed.add(id(client))
        await sender.aclose()


__all__ = [
    "Outgoing",
    "Recipient",
    "SendFailed",
    "Sender",
    "Senders",
    "Undeliverable",
    "build_senders",
    "close_senders",
]
