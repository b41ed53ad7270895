"""The generic webhook is published in the notifier's OpenAPI (``webhooks``): its signed
headers, and a body model that a real body from ``webhook_body`` satisfies."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from services.notifications.api import create_app
from services.notifications.domain.model import NotificationType, PlannedNotification
from services.notifications.domain.payloads import webhook_body
from services.notifications.domain.render import RenderedMessage
from services.notifications.domain.signing import SIGNATURE_HEADER
from services.notifications.schemas import WebhookBody

from .builders import NOW


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app().openapi()


def real_body() -> bytes:
    planned = PlannedNotification(
        recipient_id="ana",
        type=NotificationType.MEETING_REMINDER,
        subject_id="meeting-1",
        due_at=NOW,
        mandatory=True,
        payload={"meeting_id": "meeting-1", "sequence": 2, "counterpart_ids": ("bob",)},
    )
    message = RenderedMessage("Reminder", "Soon.", "Open agenda", "https://app/meetings/m")
    return webhook_body(planned, message, sent_at=NOW + timedelta(seconds=3))


def test_the_openapi_declares_the_signed_webhook(openapi: dict[str, Any]) -> None:
    post = openapi["webhooks"]["notification"]["post"]
    headers = {p["name"]: p for p in post["parameters"] if p["in"] == "header"}

    assert set(headers) == {SIGNATURE_HEADER, "Idempotency-Key"}
    assert all(h["required"] for h in headers.values())
    signature = headers[SIGNATURE_HEADER]["description"]
    for rule in ("t=<unix seconds>,v1=<hex HMAC-SHA256>", '`"<t>." + body`', "5 minutes"):
        assert rule in signature
    assert "one `v1=` per active secret" in signature
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/WebhookBody"}


def test_a_real_webhook_body_matches_the_published_model(openapi: dict[str, Any]) -> None:
    body = real_body()
    document = json.loads(body)

    WebhookBody.model_validate_json(body)  # the model (closed to unknown fields) takes it
    published = {"$ref": "#/components/schemas/WebhookBody", "components": openapi["components"]}
    Draft202012Validator(published).validate(document)  # so does the published schema
    fields = openapi["components"]["schemas"]["WebhookBody"]
    assert set(fields["properties"]) == set(document) == set(fields["required"])
    message = openapi["components"]["schemas"]["WebhookMessage"]
    assert set(message["properties"]) == set(document["message"])


def test_the_published_model_refuses_a_body_with_an_unknown_field(
    openapi: dict[str, Any],
) -> None:
    document = {**json.loads(real_body()), "name": "Ana"}
    published = {"$ref": "#/components/schemas/WebhookBody", "components": openapi["components"]}
    assert not Draft202012Validator(published).is_valid(document)
