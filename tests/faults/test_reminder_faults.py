"""Fault injection on reminders: the notifier's dispatcher is SIGKILLed while reminders
are falling due. Each reminder reaches the inbox exactly once, within 60 s of its due time.

E-mail cannot be exactly-once across a crash between the SMTP server's "250 OK" and the
ledger write: such a send is retried once. The copy carries the same Message-ID and
``X-Mentoring-Delivery`` as the first, so mail systems that de-duplicate drop it; the
test bounds how many there can be (the sends in flight at the kill)."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from shared.contracts import sessions as s
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonUpserted
from shared.contracts.registry import HR_PEOPLE, SESSIONS
from shared.kafka.admin import provision_topics
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.integration.notifications.receivers import SmtpSink
from tests.support.processes import running
from tools.localstack import LocalStack

pytestmark = pytest.mark.faults

MEETINGS = 40
LEAD = timedelta(seconds=25)  # the 1 h reminders fall due this long after the test starts


async def test_the_reminder_dispatcher_killed_in_a_due_window_delivers_each_reminder_once_in_time(
    tmp_path: Path, log_dir: Path
) -> None:
    stack = LocalStack(tmp_path / "stack").start()
    provision_topics(stack.bootstrap_servers)
    run = uuid.uuid4().hex[:6]
    now = datetime.now(UTC)
    starts_at = now + timedelta(hours=1) + LEAD
    due_at = starts_at - timedelta(hours=1)
    producer = EventProducer(stack.bootstrap_servers, service="faults")
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = mongo["faults_reminders"]
    worker_env = {
        "database": "faults_reminders",
        "log_dir": log_dir,
        "kafka_consumer_group": f"notifications-{run}",
        "dispatch_interval_s": "0.5",
        "dispatch_batch_size": "8",
        "dispatch_concurrency": "4",
        "lease_s": "15",
    }
    try:
        with SmtpSink() as smtp:
            worker_env["smtp_port"] = str(smtp.port)
            people, meetings = [], []
            for i in range(MEETINGS):
                pair = (f"a{i}-{run}", f"b{i}-{run}")
                people += [
                    Envelope.wrap(
                        PersonUpserted(
                            person_id=p, display_name=p, level=3, email=f"{p}@example.org"
                        ),
                        source="/hr",
                        subject=p,
                    )
                    for p in pair
                ]
                meetings.append(
                    Envelope.wrap(
                        s.MeetingScheduled(
                            meeting_id=f"m{i}-{run}",
                            relationship_id=f"r{i}-{run}",
                            program_id="prog",
                            member_ids=pair,
                            organiser_id=pair[0],
                            starts_at=starts_at,
                            ends_at=starts_at + timedelta(minutes=45),
                            time_zone="Europe/Berlin",
                            sequence=0,
                        ),
                        source="/sessions",
                        subject=f"r{i}-{run}",
                    )
                )
            await producer.publish_many(
                [OutgoingMessage.for_event(HR_PEOPLE.name, e) for e in people]
            )
            await asyncio.sleep(2)  # contacts first, then the meetings
            await producer.publish_many(
                [OutgoingMessage.for_event(SESSIONS.name, e) for e in meetings]
            )

            reminders = db.inbox
            with running(stack, "notifications", "worker", **worker_env):
                with running(stack, "notifications", "dispatcher", **worker_env) as dispatcher:
                    first = await _count_reminders(
                        reminders, at_least=10, timeout_s=LEAD.seconds + 60
                    )
                    assert first >= 10, "reminders started falling due"
                    os.killpg(dispatcher["proc"].pid, signal.SIGKILL)  # mid-window, no goodbye
                    dispatcher["proc"].wait()
                with running(stack, "notifications", "dispatcher", **worker_env):
                    total = await _count_reminders(reminders, at_least=2 * MEETINGS, timeout_s=90)
                    # An item cut off after its inbox entry but before its e-mail is taken
                    # over only when its lease runs out: wait for the mails that long.
                    await _wait_for_mails(
                        smtp, keys=2 * MEETINGS, timeout_s=float(worker_env["lease_s"]) + 30
                    )
                    await asyncio.sleep(3)  # anything doubled would show up now
                    total = await _count_reminders(reminders, at_least=0, timeout_s=0)

            mails = _reminder_mails(smtp)
        inbox = await reminders.find({"type": "meeting_reminder"}).to_list()
        assert total == 2 * MEETINGS and len(inbox) == 2 * MEETINGS
        assert len({(d["recipient_id"], d["subject_id"]) for d in inbox}) == 2 * MEETINGS
        late = [d for d in inbox if d["created_at"] - due_at > timedelta(seconds=60)]
        assert not late, f"{len(late)} reminders more than 60 s after their due time"
        copies = Counter(m["X-Mentoring-Delivery"] for m in mails)
        assert len(copies) == 2 * MEETINGS, "every reminder was mailed"
        assert max(copies.values()) <= 2, "a crash causes at most one retry of a send"
        assert sum(copies.values()) - len(copies) <= int(worker_env["dispatch_concurrency"])
        for key in (k for k, n in copies.items() if n > 1):
            ids = {m["Message-ID"] for m in mails if m["X-Mentoring-Delivery"] == key}
            assert len(ids) == 1, "a re-sent copy keeps its Message-ID"
    finally:
        producer.close()
        await mongo.close()
        stack.stop()


def _reminder_mails(smtp: SmtpSink) -> list[Message]:
    return [
        m
        for m in smtp.messages
        if "Reminder" in str(m["Subject"]) or "reminder" in str(m.get("X-Mentoring-Delivery", ""))
    ]


async def _wait_for_mails(smtp: SmtpSink, *, keys: int, timeout_s: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if len({m["X-Mentoring-Delivery"] for m in _reminder_mails(smtp)}) >= keys:
            return
        await asyncio.sleep(0.25)


async def _count_reminders(inbox, *, at_least: int, timeout_s: float) -> int:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        count = await inbox.count_documents({"type": "meeting_reminder"})
        if count >= at_least or asyncio.get_running_loop().time() >= deadline:
            return count
        await asyncio.sleep(0.25)
