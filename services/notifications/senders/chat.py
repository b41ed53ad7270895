"""Slack and Microsoft Teams incoming webhooks (per person from preferences, else per org)."""

from __future__ import annotations

import json

from services.notifications.domain.model import Channel
from services.notifications.domain.payloads import slack_payload, teams_payload
from services.notifications.senders.base import Outgoing, Undeliverable
from services.notifications.senders.http import HttpPoster


class SlackSender:
    channel = Channel.SLACK

    def __init__(self, client: HttpPoster, *, default_url: str | None) -> None:
        self.client = client
        self.default_url = default_url

    async def send(self, outgoing: Outgoing) -> None:
        url = outgoing.recipient.slack_webhook_url or self.default_url
        if not url:
            raise Undeliverable("no_slack_webhook_url")
        body = json.dumps(slack_payload(outgoing.message)).encode()
        await self.client.post(url, content=body, headers={"Content-Type": "application/json"})

    async def aclose(self) -> None:
        await self.client.aclose()


class TeamsSender:
    channel = Channel.TEAMS

    def __init__(self, client: HttpPoster, *, default_url: str | None) -> None:
        self.client = client
        self.default_url = default_url

    async def send(self, outgoing: Outgoing) -> None:
        url = outgoing.recipient.teams_webhook_url or self.default_url
        if not url:
            raise Undeliverable("no_teams_webhook_url")
        body = json.dumps(teams_payload(outgoing.message)).encode()
        await self.client.post(url, content=body, headers={"Content-Type": "application/json"})

    async def aclose(self) -> None:
        await self.client.aclose()
