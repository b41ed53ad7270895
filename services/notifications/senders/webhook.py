"""The generic webhook: canonical JSON signed with HMAC-SHA256 (see ``domain.signing``)."""

from __future__ import annotations

from pydantic import SecretStr

from services.notifications.domain.model import Channel
from services.notifications.domain.payloads import webhook_request
from services.notifications.senders.base import Outgoing, Undeliverable
from services.notifications.senders.http import HttpPoster


class WebhookSender:
    channel = Channel.WEBHOOK

    def __init__(self, client: HttpPoster, *, secret: SecretStr, default_url: str | None) -> None:
        self.client = client
        self.secret = secret
        self.default_url = default_url

    async def send(self, outgoing: Outgoing) -> None:
        url = outgoing.recipient.webhook_url or self.default_url
        if not url:
            raise Undeliverable("no_webhook_url")
        body, headers = webhook_request(
            outgoing.planned, outgoing.message, self.secret.get_secret_value(), now=outgoing.now
        )
        headers["Idempotency-Key"] = outgoing.delivery_key
        await self.client.post(url, content=body, headers=headers)

    async def aclose(self) -> None:
        await self.client.aclose()
