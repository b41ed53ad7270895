"""The real worker and dispatcher processes: consume events from the broker, plan,
dispatch, publish."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonUpserted
from shared.contracts.registry import DELIVERIES, HR_PEOPLE, MATCHES, PROGRAMS, SESSIONS
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.integration.notifications.receivers import SmtpSink
from tests.support.processes import running
from tests.support.waiting import eventually
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration


@contextmanager
def notifier(
    stack: LocalStack, database: str, log_dir: Path, smtp: SmtpSink, run: str, **extra: str
) -> Iterator[None]:
    """The worker process under its own consumer group and the dispatcher process,
    sending mail to ``smtp``."""
    settings = {"smtp_port": str(smtp.port), "dispatch_interval_s": "0.5", **extra}
    with (
        running(
            stack,
            "notifications",
            "worker",
            database=database,
            log_dir=log_dir,
            kafka_consumer_group=f"notifications-{run}",
            **settings,
        ),
        running(
            stack, "notifications", "dispatcher", database=database, log_dir=log_dir, **settings
        ),
    ):
        yield


async def test_the_same_meeting_event_delivered_three_times_sends_one_message(
    stack: LocalStack, database_name: str, log_dir: Path, smtp: SmtpSink
) -> None:
    run = uuid.uuid4().hex[:8]
    mentor, mentee = f"mentor-{run}", f"mentee-{run}"
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = mongo[database_name]
    producer = EventProducer(stack.bootstrap_servers, service="test")
    now = datetime.now(UTC)
    try:
        with notifier(stack, database_name, log_dir, smtp, run):
            people = [
                Envelope.wrap(
                    PersonUpserted(
                        person_id=pid, display_name=pid, email=f"{pid}@example.org", level=2
                    ),
                    source="/test",
                    subject=pid,
                )
                for pid in (mentor, mentee)
            ]
            await producer.publish_many(
                [OutgoingMessage.for_event(HR_PEOPLE.name, e) for e in people]
            )

            async def contacts_known() -> bool:
                return await db.contacts.count_documents({"_id": {"$in": [mentor, mentee]}}) == 2

            await eventually(contacts_known, what="the contacts projection")

            scheduled = Envelope.wrap(
                s.MeetingScheduled(
                    meeting_id=f"meeting-{run}",
                    relationship_id=f"rel-{run}",
                    program_id="program-1",
                    member_ids=(mentor, mentee),
                    organiser_id=mentor,
                    starts_at=now + timedelta(days=2),
                    ends_at=now + timedelta(days=2, hours=1),
                    time_zone="Europe/Berlin",
                    sequence=0,
                ),
                source="/services/sessions",
                subject=f"rel-{run}",
                time=now,
            )
            replayed = scheduled.model_copy(update={"id": str(uuid.uuid4())})  # re-minted id
            marker = Envelope.wrap(
                s.HealthChanged(
                    relationship_id=f"rel-{run}",
                    program_id="program-1",
                    member_ids=(mentor,),
                    state="at_risk",
                    previous_state="healthy",
                ),
                source="/services/sessions",
                subject=f"rel-{run}",
            )
            await producer.publish_many(
                [
                    OutgoingMessage.for_event(SESSIONS.name, e)
                    for e in (scheduled, scheduled, replayed, marker)
                ]
            )

            async def marker_delivered() -> bool:
                at_risk = {"type": "relationship_at_risk", "recipient_id": mentor}
                return await db.inbox.count_documents(at_risk) == 1

            await eventually(marker_delivered, what="the marker behind the triplicates")
            await asyncio.sleep(1.5)  # a few more dispatcher ticks: nothing more may arrive

            # this run's members only: the worker reads the shared test broker from its start
            this_run = {"type": "meeting_scheduled", "recipient_id": {"$in": [mentor, mentee]}}
            notices = await db.inbox.find(this_run).to_list()
            assert sorted(n["recipient_id"] for n in notices) == sorted([mentor, mentee])
            mails = [m for m in smtp.messages if m["Subject"].startswith("Meeting scheduled")]
            assert sorted(m["To"] for m in mails) == sorted(
                f"{p} <{p}@example.org>" for p in (mentor, mentee)
            )
            reminders = await db.queue.find(
                {"type": "meeting_reminder", "recipient_id": {"$in": [mentor, mentee]}}
            ).to_list()
            assert len(reminders) == 4 and {r["state"] for r in reminders} == {"pending"}

            async def outcomes_published() -> list[Envelope]:
                records = await read_topic(stack.bootstrap_servers, DELIVERIES.name)
                envelopes = [Envelope.from_bytes(r.value) for r in records]
                mine = [e for e in envelopes if e.data["recipient_id"] in (mentor, mentee)]
                return mine if len(mine) >= 6 else []

            published = await eventually(outcomes_published, what="delivery events")
            sent = [e for e in published if e.type == "notifications.delivery.sent"]
            # e-mail and inbox for each member's notice, and for the marker's nudge
            assert len(sent) == len(published) == 6
            assert len({e.id for e in sent}) == 6
            about_meeting = [e for e in sent if e.data["subject_id"] == f"meeting-{run}"]
            assert len(about_meeting) == 4
    finally:
        producer.close()
        await mongo.close()


async def test_the_worker_sends_the_weekly_journal_prompt_and_admin_digest_when_their_slot_comes(
    stack: LocalStack, database_name: str, log_dir: Path, smtp: SmtpSink
) -> None:
    """Programs, relationships and flags come from their topics; the slot's arrival is
    injected by moving the schedules' stored ``next_ms`` to now (the clock is real)."""
    run = uuid.uuid4().hex[:8]
    mentor, mentee, admin = f"mentor-{run}", f"mentee-{run}", f"admin-{run}"
    program_id, rel = f"program-{run}", f"rel-{run}"
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = mongo[database_name]
    producer = EventProducer(stack.bootstrap_servers, service="test")
    try:
        with notifier(stack, database_name, log_dir, smtp, run, periodic_interval_s="0.5"):

            def envelope(data: object, subject: str) -> Envelope:
                return Envelope.wrap(data, source="/test", subject=subject)  # type: ignore[arg-type]

            await producer.publish_many(
                [
                    OutgoingMessage.for_event(
                        HR_PEOPLE.name,
                        envelope(
                            PersonUpserted(
                                person_id=p, display_name=p, email=f"{p}@example.org", level=2
                            ),
                            p,
                        ),
                    )
                    for p in (mentor, mentee, admin)
                ]
                + [
                    OutgoingMessage.for_event(
                        PROGRAMS.name,
                        envelope(
                            m.ProgramOpened(
                                program_id=program_id,
                                kind=m.ProgramKind.REVERSE_MENTORING,
                                admin_ids=(admin,),
                            ),
                            program_id,
                        ),
                    ),
                    OutgoingMessage.for_event(
                        MATCHES.name,
                        envelope(
                            m.MatchFlagged(
                                match_id=f"match-{run}",
                                program_id=program_id,
                                reason_codes=("same_manager",),
                            ),
                            f"match-{run}",
                        ),
                    ),
                    OutgoingMessage.for_event(
                        SESSIONS.name,
                        envelope(
                            s.RelationshipStarted(
                                relationship_id=rel,
                                match_id=f"match-{run}",
                                program_id=program_id,
                                member_ids=(mentor, mentee),
                                starts_on=datetime.now(UTC).date(),
                                cadence_days=14,
                            ),
                            rel,
                        ),
                    ),
                ]
            )

            members = {"_id": {"$in": [mentor, mentee]}}
            admins_of = {"program_id": program_id}

            async def schedules_known() -> bool:
                # Known, and the worker's sweep has worked out the next slot (> 0).
                slotted = {"next_ms": {"$gt": 0}}
                people = await db.journal_schedules.count_documents({**slotted, **members})
                admins = await db.digest_schedules.count_documents({**slotted, **admins_of})
                flags = await db.admin_flags.count_documents({"program_id": program_id})
                return (people, admins, flags) == (2, 1, 1)

            await eventually(schedules_known, what="the schedules and the flag")
            await asyncio.sleep(0.6)  # a sweep in flight finishes before the slot moves
            slot_ms = int(datetime.now(UTC).timestamp() * 1000)
            for schedules, mine in (
                (db.journal_schedules, members),
                (db.digest_schedules, admins_of),
            ):
                await schedules.update_many(mine, {"$set": {"next_ms": slot_ms}})

            def mails() -> list[tuple[str, str]]:
                # Only this test's people: a new group also re-reads earlier tests' events.
                mine = [x for x in smtp.messages if run in x["To"]]
                return sorted((x["To"], x["Subject"]) for x in mine)

            async def all_sent() -> list[tuple[str, str]]:
                return mails() if len(mails()) >= 3 else []

            sent = await eventually(all_sent, what="the prompts and the digest")
            await asyncio.sleep(1.5)  # more sweeps and dispatches: nothing more may arrive

            assert (
                mails()
                == sent
                == [
                    (
                        f"{admin} <{admin}@example.org>",
                        "your mentoring program: items needing attention",
                    ),
                    (f"{mentee} <{mentee}@example.org>", "Your weekly reflection"),
                    (f"{mentor} <{mentor}@example.org>", "Your weekly reflection"),
                ]
            )
            digest = await db.deliveries.find_one({"recipient_id": admin})
            assert digest is not None and digest["status"] == "sent"
            next_slots = await db.journal_schedules.distinct("next_ms", members)
            assert len(next_slots) == 1 and next_slots[0] > slot_ms  # a week on
    finally:
        producer.close()
        await mongo.close()
