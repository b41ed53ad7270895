"""Safety alerts: a concern reported or a low pulse reaches every admin of the program,
in the inbox (besides their usual channels), once, and carries no content."""

from __future__ import annotations

from datetime import timedelta

from services.notifications import incoming
from services.notifications.dispatcher import dispatch_due
from services.notifications.domain.model import Channel, NotificationType
from services.notifications.domain.policy import PlanningPolicy
from services.notifications.domain.render import render_message
from services.notifications.domain.render_context import RenderContext
from services.notifications.domain.safety_planning import SafetyAlert, plan_safety_alert
from services.notifications.senders.base import Outgoing
from shared.contracts import matching as m
from shared.contracts import sessions as s
from tests.support.fakes import memory_database

from .test_notifications_service_planning import NOW, _Inbox, event, work

T = NotificationType


def opened(program_id: str, *admins: str) -> m.ProgramOpened:
    return m.ProgramOpened(
        program_id=program_id, kind=m.ProgramKind.PEER_COACHING, admin_ids=admins
    )


def test_each_admin_gets_one_alert_naming_the_program_and_its_subject_only() -> None:
    alert = SafetyAlert(T.CONCERN_REPORTED, "concern-1", "program-1", NOW)

    plan = plan_safety_alert(alert, ["adm-1", "adm-2", "adm-1"], now=NOW, policy=PlanningPolicy())

    assert [(n.recipient_id, n.type, n.subject_id) for n in plan.notifications] == [
        ("adm-1", T.CONCERN_REPORTED, "concern-1"),
        ("adm-2", T.CONCERN_REPORTED, "concern-1"),
    ]
    assert all(n.mandatory for n in plan.notifications)
    assert {
        dict(n.payload) == {"program_id": "program-1", "concern_id": "concern-1"}
        for n in plan.notifications
    } == {True}


def test_a_pulse_alert_links_the_relationship_and_a_stale_replay_plans_nothing() -> None:
    alert = SafetyAlert(T.PULSE_FLAGGED, "rel-1", "program-1", NOW)
    policy = PlanningPolicy()

    [notice] = plan_safety_alert(alert, ["adm-1"], now=NOW, policy=policy).notifications
    late = plan_safety_alert(alert, ["adm-1"], now=NOW + timedelta(days=30), policy=policy)

    assert dict(notice.payload) == {"program_id": "program-1", "relationship_id": "rel-1"}
    assert late.notifications == ()


def test_the_message_names_the_program_and_says_nothing_of_the_content() -> None:
    for type_ in (T.CONCERN_REPORTED, T.PULSE_FLAGGED):
        message = render_message(type_, RenderContext(recipient_name="Ada", program_id="prog-7"))
        assert "prog-7" in message.subject and "prog-7" in message.text


async def test_a_concern_and_a_low_pulse_reach_every_admins_inbox_once_without_content() -> None:
    db = memory_database()
    await incoming.plan_and_alert_admins(work(db), [event(opened("program-1", "adm-1", "adm-2"))])
    concern = event(m.ConcernReported(concern_id="concern-1", program_id="program-1"))
    pulse = event(s.PulseFlagged(relationship_id="rel-1", program_id="program-1"))
    other = event(m.ConcernReported(concern_id="concern-2", program_id="program-2"))
    for _ in range(2):  # a redelivered batch queues nothing new
        await incoming.plan_and_alert_admins(work(db), [concern, pulse, other])

    uow = work(db, now=NOW + timedelta(minutes=1))
    inbox, email = _Inbox(uow.store), _Mail()
    result = await dispatch_due(uow, {Channel.INBOX: inbox, Channel.EMAIL: email})

    assert (result.claimed, result.sent) == (4, 8)  # the inbox and the usual e-mail
    assert len(email.sent) == 4
    messages = await uow.store.inbox.find({}).to_list()
    assert sorted((d["recipient_id"], d["type"]) for d in messages) == [
        ("adm-1", "concern_reported"),
        ("adm-1", "pulse_flagged"),
        ("adm-2", "concern_reported"),
        ("adm-2", "pulse_flagged"),
    ]
    for doc in messages:
        said = f"{doc['title']} {doc['body']} {doc['action_url']}"
        assert "program-1" in said and doc["subject_id"] in said


class _Mail:
    """An e-mail channel that only remembers what it was given."""

    channel = Channel.EMAIL

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    async def send(self, outgoing: Outgoing) -> None:
        self.sent.append(outgoing)

    async def aclose(self) -> None:
        return None
