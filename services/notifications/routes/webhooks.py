"""The webhook the notifier sends (not a route it serves), declared under ``webhooks`` in
its OpenAPI so that a subscriber can build and check a receiver from the document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from services.notifications.domain.signing import SIGNATURE_HEADER, TIMESTAMP_TOLERANCE
from services.notifications.schemas import WebhookBody

router = APIRouter()

_WINDOW_MINUTES = int(TIMESTAMP_TOLERANCE.total_seconds() // 60)

SIGNATURE_DESCRIPTION = (
    "`t=<unix seconds>,v1=<hex HMAC-SHA256>`: the HMAC, keyed with the subscriber's secret, "
    'of `"<t>." + body` (the raw body bytes). Reject a `t` more than '
    f"{_WINDOW_MINUTES} minutes from your clock (replay window). During a secret rotation "
    "the header carries one `v1=` per active secret: accept the request if any of them "
    "matches one of your secrets. Compare in constant time."
)
IDEMPOTENCY_DESCRIPTION = (
    "The notification's key (the body's `id`): a retry of the same notification carries "
    "the same key; process it once."
)


@router.post(
    "notification",
    summary="A notification, delivered to a person's webhook",
    description=(
        "POSTed to the URL a person (or an integration acting for them) set as "
        "`webhook_url` in their preferences. Answer 2xx to acknowledge. 5xx, 408, 429 "
        "(`Retry-After` honoured) and network errors are retried with backoff; any other "
        "4xx is final."
    ),
    operation_id="receive_notification_webhook",
    status_code=204,
    response_class=Response,
    response_description="Received (any 2xx acknowledges).",
)
async def notification(
    body: WebhookBody,
    signature: Annotated[str, Header(alias=SIGNATURE_HEADER, description=SIGNATURE_DESCRIPTION)],
    idempotency_key: Annotated[
        str, Header(alias="Idempotency-Key", description=IDEMPOTENCY_DESCRIPTION)
    ],
) -> None:
    """Declaration only: the notifier never serves this path."""
