"""Slack and Microsoft Teams incoming webhooks (per person from preferences, else per org)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import ClassVar

from services.notifications.domain.model import Channel
from services.notifications.domain.payloads import slack_payload, teams_payload
from services.notifications.domain.render import RenderedMessage
from services.notifications.senders.base import Outgoing
from services.notifications.senders.http import PostingSender

JSON_HEADERS = {"Content-Type": "application/json"}


class ChatSender(PostingSender):
    """A chat tool's incoming webhook: the message as that tool's JSON payload."""

    payload: ClassVar[Callable[[RenderedMessage], dict[str, object]]]

    async def send(self, outgoing: Outgoing) -> None:
        body = json.dumps(self.payload(outgoing.message)).encode()
        await self.client.post(self.url_for(outgoing), content=body, headers=JSON_HEADERS)


class SlackSender(ChatSender):
    channel = Channel.SLACK
    address = "slack_webhook_url"
    payload = staticmethod(slack_payload)


class TeamsSender(ChatSender):
    channel = Channel.TEAMS
    address = "teams_webhook_url"
    payload = staticmethod(teams_payload)
