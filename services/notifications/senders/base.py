"""What every channel adapter implements, and the two ways a send can fail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.notifications.domain.model import Channel, PlannedNotification
from services.notifications.domain.render import RenderedMessage
from services.notifications.domain.retry import DeliveryFailure


@dataclass(frozen=True)
class Recipient:
    """Where one person can be reached (from the contacts projection and preferences)."""

    person_id: str
    display_name: str | None = None
    email: str | None = None
    webhook_url: str | None = None
    slack_webhook_url: str | None = None
    teams_webhook_url: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """One channel's delivery of one planned notification."""

    planned: PlannedNotification
    delivery_key: str
    message: RenderedMessage
    recipient: Recipient
    now: datetime
    calendar: bytes | None = None


class SendFailed(Exception):
    """The channel answered with a failure the retry policy classifies."""

    def __init__(self, failure: DeliveryFailure, detail: str = "") -> None:
        super().__init__(f"{failure!r} {detail}".strip())
        self.failure = failure
        self.detail = detail


class Undeliverable(Exception):
    """Nothing to send to (no address, no URL configured): permanent, never retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Sender(Protocol):
    channel: Channel

    async def send(self, outgoing: Outgoing) -> None:
        """Deliver or raise ``SendFailed`` / ``Undeliverable``."""
        ...

    async def aclose(self) -> None: ...
