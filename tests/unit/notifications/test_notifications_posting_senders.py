"""The channels that POST (generic webhook, Slack, Teams) send to the person's own URL,
else the organisation's default, and with neither the delivery is undeliverable with a
reason naming the missing address (never retried)."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from services.notifications.domain.model import NotificationType, PlannedNotification
from services.notifications.domain.render import RenderedMessage
from services.notifications.domain.signing import SIGNATURE_HEADER
from services.notifications.senders import Outgoing, Recipient, Undeliverable
from services.notifications.senders.chat import SlackSender, TeamsSender
from services.notifications.senders.http import HttpPoster, PostingSender
from services.notifications.senders.webhook import WebhookSender

from .builders import NOW


class RecordingPoster(HttpPoster):
    """Keeps what would have been posted."""

    def __init__(self) -> None:
        super().__init__(timeout_s=1)
        self.posts: list[tuple[str, bytes, dict[str, str]]] = []

    async def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> None:
        self.posts.append((url, content, headers))


def outgoing(**addresses: str) -> Outgoing:
    planned = PlannedNotification(
        recipient_id="ana", type=NotificationType.MATCH_ACTIVATED, subject_id="m-1", due_at=NOW
    )
    message = RenderedMessage("Matched", "Meet Bo.", "Open", "https://app/matches/m-1")
    return Outgoing(planned, "key:channel", message, Recipient("ana", **addresses), NOW)


def senders(client: HttpPoster, default_url: str | None) -> list[PostingSender]:
    return [
        SlackSender(client, default_url=default_url),
        TeamsSender(client, default_url=default_url),
        WebhookSender(client, secret=SecretStr("s3cret"), default_url=default_url),
    ]


async def test_the_persons_own_url_wins_over_the_default() -> None:
    client = RecordingPoster()
    own = {"slack_webhook_url": "https://own/s", "teams_webhook_url": "https://own/t"}
    for sender in senders(client, default_url="https://org/default"):
        await sender.send(outgoing(**own, webhook_url="https://own/w"))
    assert [url for url, _, _ in client.posts] == [
        "https://own/s",
        "https://own/t",
        "https://own/w",
    ]


async def test_without_an_own_url_the_default_is_used_each_in_its_format() -> None:
    client = RecordingPoster()
    for sender in senders(client, default_url="https://org/default"):
        await sender.send(outgoing())
    (_, slack, _), (_, teams, _), (_, _, webhook_headers) = client.posts
    assert {url for url, _, _ in client.posts} == {"https://org/default"}
    assert "blocks" in json.loads(slack) and json.loads(teams)["type"] == "message"
    assert SIGNATURE_HEADER in webhook_headers
    assert webhook_headers["Idempotency-Key"] == "key:channel"


@pytest.mark.parametrize("index", [0, 1, 2])
async def test_without_any_url_the_delivery_is_undeliverable_naming_the_address(
    index: int,
) -> None:
    client = RecordingPoster()
    sender = senders(client, default_url=None)[index]
    with pytest.raises(Undeliverable) as caught:
        await sender.send(outgoing())
    assert caught.value.reason == f"no_{sender.address}"
    assert client.posts == []
