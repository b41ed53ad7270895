"""Specifications: message text and the Slack, Teams and generic webhook payloads."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.notifications.domain.model import NotificationType
from services.notifications.domain.payloads import slack_payload, teams_payload, webhook_request
from services.notifications.domain.planning import ASSIGNED, plan_notifications
from services.notifications.domain.render import RenderContext, render_message
from services.notifications.domain.signing import SIGNATURE_HEADER, verify_webhook

from .builders import NOW, START, scheduled

T = NotificationType
CTX = RenderContext(
    recipient_name="Ada",
    time_zone="Europe/Berlin",
    counterpart_names=("Grace",),
    starts_at=START,
    action_url="https://mentoring.example/m/1",
)


@pytest.mark.parametrize("type_", list(T))
def test_every_type_renders_a_subject_body_and_action(type_: NotificationType) -> None:
    message = render_message(type_, CTX)

    assert message.subject and "\n" not in message.subject
    assert message.text.startswith("Hi Ada,")
    assert message.action_label and message.action_url == CTX.action_url


def test_meeting_reminder_shows_the_start_in_the_recipients_zone() -> None:
    message = render_message(T.MEETING_REMINDER, CTX)

    assert "Thursday 5 March 2026, 15:00 (Europe/Berlin)" in message.text
    assert "Grace" in message.subject


def test_introduction_lists_the_reasons_for_the_match() -> None:
    ctx = RenderContext(
        recipient_name="Ada",
        counterpart_names=("Grace",),
        explanation=("You both want to grow as public speakers",),
    )

    message = render_message(T.MATCH_ACTIVATED, ctx)

    assert "- You both want to grow as public speakers" in message.text


def test_an_assigned_match_is_introduced_without_saying_anyone_accepted() -> None:
    accepted = render_message(T.MATCH_ACTIVATED, CTX)
    assigned = render_message(T.MATCH_ACTIVATED, replace(CTX, reason_code=ASSIGNED))

    assert "is confirmed" in accepted.text
    assert "confirmed" not in assigned.text
    assert "administrators have matched you with Grace" in assigned.text
    assert "end the match early" in assigned.text


def test_message_without_a_link_has_no_call_to_action() -> None:
    message = render_message(T.JOURNAL_PROMPT, RenderContext(recipient_name="Ada"))

    assert message.action_label is None and message.action_url is None


def test_message_mentions_only_the_names_the_adapter_supplied() -> None:
    message = render_message(T.MEETING_SCHEDULED, RenderContext(recipient_name="Ada"))

    assert "your match" in message.text


def test_slack_payload_has_fallback_text_blocks_and_an_escaped_body() -> None:
    ctx = RenderContext(recipient_name="A <b> & co", action_url="https://x.example")

    payload = slack_payload(render_message(T.JOURNAL_PROMPT, ctx))

    assert payload["text"] == "Your weekly reflection"
    blocks = payload["blocks"]
    assert isinstance(blocks, list)
    assert [b["type"] for b in blocks] == ["header", "section", "actions"]
    assert "A &lt;b&gt; &amp; co" in blocks[1]["text"]["text"]
    assert blocks[2]["elements"][0]["url"] == "https://x.example"
    json.dumps(payload)


def test_teams_payload_wraps_an_adaptive_card() -> None:
    payload = teams_payload(render_message(T.MEETING_REMINDER, CTX))

    attachments: Any = payload["attachments"]
    [attachment] = attachments
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["actions"][0] == {
        "type": "Action.OpenUrl",
        "title": "Open agenda",
        "url": CTX.action_url,
    }
    json.dumps(payload)


def test_generic_webhook_request_is_signed_and_carries_ids_not_contact_data() -> None:
    [item, *_] = plan_notifications(scheduled(), now=NOW).notifications
    sent_at = NOW + timedelta(seconds=1)

    body, headers = webhook_request(item, render_message(item.type, CTX), "s3cret", now=sent_at)

    document = json.loads(body)
    assert document["id"] == item.key == headers["Idempotency-Key"]
    assert document["data"]["meeting_id"] == "meeting-1"
    assert document["sent_at"] == "2026-03-02T09:00:01+00:00"
    assert "@" not in body.decode()
    assert verify_webhook(body, headers[SIGNATURE_HEADER], "s3cret", now=sent_at)


def test_webhook_body_is_canonical_so_the_same_input_signs_identically() -> None:
    [item, *_] = plan_notifications(scheduled(), now=NOW).notifications
    message = render_message(item.type, CTX)
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    assert webhook_request(item, message, "k", now=at) == webhook_request(
        item, message, "k", now=at
    )


def test_overdue_notice_names_the_owners_own_action_item_and_its_due_date() -> None:
    ctx = RenderContext(
        recipient_name="Ada", action_item_title="Draft the talk outline", due_on=date(2026, 3, 1)
    )

    message = render_message(T.ACTION_ITEM_OVERDUE, ctx)

    assert '"Draft the talk outline" was due on 2026-03-01.' in message.text
