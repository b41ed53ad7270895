"""Slack and Microsoft Teams incoming webhooks (per person from preferences, else per org)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import ClassVar

from services.notifications.domain.chat_actions import buttons_for
from services.notifications.domain.model import Channel
from services.notifications.domain.payloads import slack_payload, teams_payload
from services.notifications.senders.base import Outgoing
from services.notifications.senders.http import PostingSender

JSON_HEADERS = {"Content-Type": "application/json"}


ChatPayload = Callable[..., dict[str, object]]


class ChatSender(PostingSender):
    """A chat tool's incoming webhook: the message as that tool's JSON payload, with the
    notification's action buttons and its delivery key (also sent as ``Idempotency-Key``).
    """

    payload: ClassVar[ChatPayload]

    async def send(self, outgoing: Outgoing) -> None:
        planned = outgoing.planned
        buttons = buttons_for(planned.type, planned.subject_id)
        document = self.payload(outgoing.message, buttons, delivery_key=outgoing.delivery_key)
        headers = {**JSON_HEADERS, "Idempotency-Key": outgoing.delivery_key}
        await self.client.post(
            self.url_for(outgoing), content=json.dumps(document).encode(), headers=headers
        )


class SlackSender(ChatSender):
    channel = Channel.SLACK
    address = "slack_webhook_url"
    payload = staticmethod(slack_payload)


class TeamsSender(ChatSender):
    channel = Channel.TEAMS
    address = "teams_webhook_url"
    payload = staticmethod(teams_payload)
