"""Events of the notifier on ``notifications.deliveries.v1`` (ids only, never addresses)."""

from __future__ import annotations

from pydantic import Field

from shared.contracts.envelope import EventData

Id = str


class _DeliveryFacts(EventData):
    delivery_id: Id
    recipient_id: Id
    notification_type: str
    subject_id: Id
    channel: str
    attempt: int = Field(default=1, ge=1)


class DeliverySent(_DeliveryFacts):
    event_type = "notifications.delivery.sent"


class DeliveryFailed(_DeliveryFacts):
    event_type = "notifications.delivery.failed"

    reason_code: str
    permanent: bool


class DeliverySuppressed(_DeliveryFacts):
    event_type = "notifications.delivery.suppressed"

    reason_code: str
