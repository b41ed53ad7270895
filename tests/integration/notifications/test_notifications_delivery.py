"""Delivery over real channels: webhook retries, permanent failures, crashes, e-mail."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from services.notifications import store_queue
from services.notifications.dispatcher import dispatch_due
from services.notifications.domain.model import Channel
from services.notifications.domain.signing import verify_webhook
from services.notifications.planner import plan_from_events
from services.notifications.preferences import put_preferences
from services.notifications.senders import Outgoing
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from shared.contracts import sessions as s
from shared.contracts.envelope import Envelope
from tests.integration.notifications.builders import add_contacts, as_person, health, meeting, work
from tests.integration.notifications.receivers import SmtpSink, WebhookSink

pytestmark = pytest.mark.integration

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def _no_jitter() -> float:
    return 0.0


async def test_a_webhook_failing_twice_then_succeeding_is_retried_and_recorded(
    store: NotificationsStore, senders, settings: NotificationsSettings, webhook: WebhookSink
) -> None:
    await add_contacts(store, ("mentor-1", "m@example.org", "UTC"))
    await put_preferences(
        work(store, caller=as_person("mentor-1")),
        person_id="mentor-1",
        values={"default_channels": ["webhook"]},
    )
    await plan_from_events(work(store, now=T0), [health("at_risk", at=T0, members=("mentor-1",))])
    webhook.fail_next(503, 500)

    first = await dispatch_due(work(store, settings, now=T0), senders, random=_no_jitter)
    assert first.retrying == 1
    # Backoff: 15 s after the first failure (base 30 s, equal jitter at 0), 30 s after the second.
    assert (
        await dispatch_due(work(store, settings, now=T0 + timedelta(seconds=14)), senders)
    ).claimed == 0
    second = await dispatch_due(
        work(store, settings, now=T0 + timedelta(seconds=15)), senders, random=_no_jitter
    )
    assert second.retrying == 1
    third = await dispatch_due(
        work(store, settings, now=T0 + timedelta(seconds=45)), senders, random=_no_jitter
    )
    assert third.sent == 1
    assert (
        await dispatch_due(work(store, settings, now=T0 + timedelta(hours=1)), senders)
    ).claimed == 0

    assert len(webhook.requests) == 3 and len(webhook.accepted) == 1
    [entry] = await store.deliveries.find({}).to_list()
    assert entry["status"] == "sent" and entry["channel"] == "webhook"
    assert [(a["n"], a["outcome"], a["reason"]) for a in entry["attempts"]] == [
        (1, "retry", "http_503"),
        (2, "retry", "http_500"),
        (3, "sent", None),
    ]
    [event] = [Envelope.model_validate_json(e["value"]) for e in entry["pending_events"]]
    assert event.type == "notifications.delivery.sent" and event.data["attempt"] == 3
    assert "m@example.org" not in event.model_dump_json()  # ids only on events
    request = webhook.accepted[0]
    assert verify_webhook(
        request.body,
        request.headers["x-mentoring-signature"],
        settings.webhook_secret.get_secret_value(),
        now=T0 + timedelta(seconds=45),
    )
    assert request.headers["idempotency-key"] == entry["_id"]


async def test_a_permanently_failing_address_is_not_retried_forever(
    store: NotificationsStore,
    senders,
    settings: NotificationsSettings,
    smtp: SmtpSink,
    webhook: WebhookSink,
) -> None:
    await add_contacts(
        store, ("bouncer-1", "bounce@example.org", "UTC"), ("flaky-1", "f@example.org", "UTC")
    )
    await put_preferences(
        work(store, caller=as_person("bouncer-1")),
        person_id="bouncer-1",
        values={"default_channels": ["email"]},
    )
    await put_preferences(
        work(store, caller=as_person("flaky-1")),
        person_id="flaky-1",
        values={"default_channels": ["webhook"]},
    )
    await plan_from_events(
        work(store, now=T0), [health("at_risk", at=T0, members=("bouncer-1", "flaky-1"))]
    )
    webhook.fail_next(*([503] * 20))

    now = T0
    for _ in range(12):
        await dispatch_due(work(store, settings, now=now), senders, random=_no_jitter)
        now += timedelta(hours=2)

    bounced = await store.deliveries.find_one({"recipient_id": "bouncer-1"})
    assert bounced["status"] == "failed" and bounced["reason"] == "smtp_550"
    assert len(bounced["attempts"]) == 1, "a 550 must not be retried"
    assert smtp.messages == []
    flaky = await store.deliveries.find_one({"recipient_id": "flaky-1"})
    assert flaky["status"] == "failed" and flaky["reason"] == "http_503:max_attempts"
    assert len(flaky["attempts"]) == settings.retry_max_attempts == len(webhook.requests)
    events = [Envelope.model_validate_json(e["value"]) for e in bounced["pending_events"]]
    assert [(e.type, e.data["permanent"]) for e in events] == [
        ("notifications.delivery.failed", True)
    ]
    assert await store.queue.count_documents({"state": "pending"}) == 0


@pytest.mark.parametrize("claim_step", [store_queue.CLAIM_STEP, 2], ids=["one_step", "steps"])
async def test_dispatchers_running_at_once_send_each_item_once(
    store: NotificationsStore,
    senders,
    settings: NotificationsSettings,
    webhook: WebhookSink,
    claim_step: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A claim of 7 candidates in steps of 2 races the other passes between its steps.
    monkeypatch.setattr(store_queue, "CLAIM_STEP", claim_step)
    people = [(f"p-{n}", f"p{n}@example.org", "UTC") for n in range(30)]
    await add_contacts(store, *people)
    for person, _, _ in people:
        await put_preferences(
            work(store, caller=as_person(person)),
            person_id=person,
            values={"default_channels": ["webhook"]},
        )
    members = tuple(p for p, _, _ in people)
    await plan_from_events(work(store, now=T0), [health("at_risk", at=T0, members=members)])

    results: list = []
    while not results or any(r.claimed for r in results[-8:]):
        # Eight passes at once compete for the same earliest items.
        results += await asyncio.gather(
            *(dispatch_due(work(store, settings, now=T0), senders, limit=7) for _ in range(8))
        )
    assert sum(r.claimed for r in results) == sum(r.sent for r in results) == 30
    keys = [r.headers["idempotency-key"] for r in webhook.accepted]
    assert len(keys) == len(set(keys)) == 30
    assert await store.queue.count_documents({}) == 0


class _HangingSender:
    """Simulates a worker that dies mid-send: the send never returns."""

    channel = Channel.WEBHOOK

    def __init__(self) -> None:
        self.calls = 0

    async def send(self, outgoing: Outgoing) -> None:
        self.calls += 1
        await asyncio.Event().wait()

    async def aclose(self) -> None:
        return None


async def crash_mid_send(
    store: NotificationsStore, settings: NotificationsSettings, hanging: object, now: datetime
) -> None:
    """The dispatcher dies with the item claimed and the send in flight."""
    task = asyncio.create_task(dispatch_due(work(store, settings, now=now), hanging))  # type: ignore[arg-type]
    await asyncio.sleep(0.5)
    task.cancel()


async def test_a_crash_mid_send_leads_to_at_most_one_retry(
    store: NotificationsStore, senders, settings: NotificationsSettings, webhook: WebhookSink
) -> None:
    await add_contacts(store, ("mentor-1", "m@example.org", "UTC"))
    await put_preferences(
        work(store, caller=as_person("mentor-1")),
        person_id="mentor-1",
        values={"default_channels": ["webhook"]},
    )
    await plan_from_events(work(store, now=T0), [health("stalled", at=T0, members=("mentor-1",))])
    hanging = {Channel.WEBHOOK: _HangingSender()}

    async def crash(now: datetime) -> None:
        await crash_mid_send(store, settings, hanging, now)

    await crash(T0)
    # While the lease holds, nobody else takes the item.
    assert (
        await dispatch_due(work(store, settings, now=T0 + timedelta(seconds=10)), senders)
    ).claimed == 0
    after_lease = T0 + timedelta(seconds=settings.lease_s + 1)
    await crash(after_lease)  # the one retry, and it crashes again
    later = after_lease + timedelta(seconds=settings.lease_s + 1)
    result = await dispatch_due(work(store, settings, now=later), senders)
    assert result.claimed == 1 and result.sent == 0
    entry = await store.deliveries.find_one({})
    assert entry["status"] == "failed" and entry["reason"] == "interrupted_during_send"
    assert hanging[Channel.WEBHOOK].calls == 2 and webhook.requests == []

    # With one crash only, the retry goes through exactly once.
    await plan_from_events(work(store, now=T0), [health("at_risk", at=T0, members=("mentor-1",))])
    await crash(T0)
    result = await dispatch_due(work(store, settings, now=after_lease), senders)
    assert result.sent == 1 and len(webhook.accepted) == 1
    assert (await dispatch_due(work(store, settings, now=later), senders)).claimed == 0


async def test_meeting_notices_go_by_email_with_a_calendar_attachment(
    store: NotificationsStore, senders, settings: NotificationsSettings, smtp: SmtpSink
) -> None:
    await add_contacts(
        store, ("mentor-1", "mentor@example.org", "UTC"), ("mentee-1", "mentee@example.org", "UTC")
    )
    starts = T0 + timedelta(days=3)
    await plan_from_events(
        work(store, now=T0), [meeting(s.MeetingScheduled, starts_at=starts, at=T0)]
    )
    result = await dispatch_due(work(store, settings, now=T0), senders)
    assert result.sent == 4  # e-mail and inbox (the default channels), per member
    assert sorted(m["To"] for m in smtp.messages) == [
        "Mentee 1 <mentee@example.org>",
        "Mentor 1 <mentor@example.org>",
    ]
    mail = smtp.messages[0]
    assert mail["Subject"].startswith("Meeting scheduled with")
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    ics = parts[0].get_payload(decode=True)
    assert b"BEGIN:VEVENT" in ics and b"UID:meeting-meeting-1@mentoring.invalid" in ics
    assert b"DTSTART:20260404T090000Z" in ics
    assert b"ORGANIZER:mailto:mentor@example.org" in ics and b"SEQUENCE:0" in ics


async def test_slack_and_teams_incoming_webhooks_receive_their_payloads(
    store: NotificationsStore, senders, settings: NotificationsSettings, webhook: WebhookSink
) -> None:
    await add_contacts(store, ("mentor-1", "m@example.org", "UTC"))
    await put_preferences(
        work(store, caller=as_person("mentor-1")),
        person_id="mentor-1",
        values={
            "default_channels": ["slack", "teams"],
            "slack_webhook_url": f"http://127.0.0.1:{webhook.port}/slack",
            "teams_webhook_url": f"http://127.0.0.1:{webhook.port}/teams",
        },
    )
    await plan_from_events(work(store, now=T0), [health("stalled", at=T0, members=("mentor-1",))])
    result = await dispatch_due(work(store, settings, now=T0), senders)
    assert result.sent == 2
    by_path = {r.path: json.loads(r.body) for r in webhook.accepted}
    assert by_path["/slack"]["blocks"][0]["type"] == "header"
    card = by_path["/teams"]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    statuses = {d["channel"]: d["status"] for d in await store.deliveries.find({}).to_list()}
    assert statuses == {"slack": "sent", "teams": "sent"}


async def _slack_only(store: NotificationsStore, url: str) -> None:
    await add_contacts(store, ("mentor-1", "m@example.org", "UTC"))
    await put_preferences(
        work(store, caller=as_person("mentor-1")),
        person_id="mentor-1",
        values={"default_channels": ["slack"], "slack_webhook_url": url},
    )


async def test_a_slack_message_carries_its_buttons_and_its_delivery_key(
    store: NotificationsStore, senders, settings: NotificationsSettings, webhook: WebhookSink
) -> None:
    await _slack_only(store, webhook.url)
    starts = T0 + timedelta(days=3)
    await plan_from_events(
        work(store, now=T0),
        [meeting(s.MeetingScheduled, starts_at=starts, at=T0, members=("mentor-1",))],
    )
    assert (await dispatch_due(work(store, settings, now=T0), senders)).sent == 1

    [request] = webhook.accepted
    posted = json.loads(request.body)
    [entry] = await store.deliveries.find({"channel": "slack"}).to_list()
    assert posted["metadata"]["event_payload"] == {"delivery_key": entry["_id"]}
    assert request.headers["idempotency-key"] == entry["_id"]
    [actions] = [b for b in posted["blocks"] if b["type"] == "actions"]
    confirm = actions["elements"][0]
    assert (confirm["action_id"], confirm["value"]) == ("meeting.confirm", "meeting-1")


async def test_a_chat_send_cut_off_by_a_crash_is_never_posted_again(
    store: NotificationsStore, senders, settings: NotificationsSettings, webhook: WebhookSink
) -> None:
    """At-most-once in chat: Slack and Teams drop no second copy, so the send that may
    have reached them before the crash is given up instead of posted again."""
    await _slack_only(store, webhook.url)
    await plan_from_events(work(store, now=T0), [health("stalled", at=T0, members=("mentor-1",))])
    hanging = {Channel.SLACK: _HangingSender()}
    await crash_mid_send(store, settings, hanging, T0)

    after_lease = T0 + timedelta(seconds=settings.lease_s + 1)
    result = await dispatch_due(work(store, settings, now=after_lease), senders)
    assert result.claimed == 1 and result.sent == 0
    entry = await store.deliveries.find_one({})
    assert entry["status"] == "failed" and entry["reason"] == "interrupted_during_send"
    assert hanging[Channel.SLACK].calls == 1 and webhook.requests == []
