"""Specifications: the junior's private pulse check is prompted to the junior alone, once
per pulse, in their inbox with its link, in words that name no one."""

from __future__ import annotations

from datetime import timedelta

from services.notifications import incoming
from services.notifications.dispatcher import dispatch_due
from services.notifications.domain.facts import PulseRequested
from services.notifications.domain.model import Channel, NotificationType
from services.notifications.domain.planning import plan_notifications
from services.notifications.domain.render import RenderContext, render_message
from services.notifications.senders.inbox import InboxSender
from services.notifications.settings import NotificationsSettings
from shared.contracts import sessions as s
from tests.support.fakes import memory_database
from tests.unit.notifications.test_notifications_service_planning import NOW, event, started, work

T = NotificationType
BASE = NotificationsSettings().app_base_url.rstrip("/")


def _requested(at_hours: int = 0) -> PulseRequested:
    return PulseRequested(
        "pulse-rel-1-1", "rel-1", "junior", NOW + timedelta(hours=at_hours), "p-1"
    )


def test_only_the_junior_is_prompted_once_per_pulse() -> None:
    first = plan_notifications(_requested(), now=NOW)
    later = NOW + timedelta(hours=2)
    again = plan_notifications(_requested(at_hours=2), now=later)
    assert [(n.recipient_id, n.type, n.subject_id) for n in first.notifications] == [
        ("junior", T.PULSE_CHECK_REQUEST, "pulse-rel-1-1")
    ]
    assert "counterpart_ids" not in first.notifications[0].payload
    assert first.keys == again.keys


def test_a_stale_pulse_request_plans_nothing() -> None:
    stale = PulseRequested("pulse-rel-1-1", "rel-1", "junior", NOW - timedelta(days=3))
    assert plan_notifications(stale, now=NOW).notifications == ()


def test_the_prompt_is_a_private_check_in_that_names_no_one() -> None:
    context = RenderContext(recipient_name="Ana", counterpart_names=("Senior Person",))
    message = render_message(T.PULSE_CHECK_REQUEST, context)
    assert message.subject == "A short private check-in about your mentoring"
    assert "Senior Person" not in message.subject + message.text


async def test_the_junior_finds_the_prompt_in_their_inbox_and_the_senior_nothing() -> None:
    db = memory_database()
    await incoming.plan(work(db), [started("rel-1", "junior", "senior")])
    requested = s.PulseRequested(
        pulse_id="pulse-rel-1-1",
        relationship_id="rel-1",
        program_id="p-1",
        person_id="junior",
        after_meeting=1,
    )
    await incoming.plan(work(db), [event(requested)])
    uow = work(db, now=NOW + timedelta(minutes=1))
    await dispatch_due(uow, {Channel.INBOX: InboxSender(uow.store)})
    inbox = await uow.store.inbox.find({}).to_list()
    assert [(d["recipient_id"], d["type"], d["action_url"]) for d in inbox] == [
        ("junior", "pulse_check_request", f"{BASE}/pulses/pulse-rel-1-1")
    ]
