"""The generic webhook: canonical JSON signed with HMAC-SHA256 (see ``domain.signing``)."""

from __future__ import annotations

from pydantic import SecretStr

from services.notifications.domain.model import Channel
from services.notifications.domain.payloads import webhook_request
from services.notifications.senders.base import Outgoing
from services.notifications.senders.http import HttpPoster, PostingSender


class WebhookSender(PostingSender):
    channel = Channel.WEBHOOK
    address = "webhook_url"

    def __init__(self, client: HttpPoster, *, secret: SecretStr, default_url: str | None) -> None:
        super().__init__(client, default_url=default_url)
        self.secret = secret

    async def send(self, outgoing: Outgoing) -> None:
        url = self.url_for(outgoing)
        body, headers = webhook_request(
            outgoing.planned, outgoing.message, self.secret.get_secret_value(), now=outgoing.now
        )
        headers["Idempotency-Key"] = outgoing.delivery_key
        await self.client.post(url, content=body, headers=headers)
