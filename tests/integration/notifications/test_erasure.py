"""Right to erasure in the notifier: after ``hr.person.erased`` (consumed by the real
worker) no document in any notifications collection contains the person's id; the
delivery ledger keeps its entries (counts) under a pseudonym, and the other member's
data stays, naming the erased person by the pseudonym only."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.notifications.dispatcher import dispatch_due
from services.notifications.erasure import pseudonym
from services.notifications.planner import plan_from_events
from services.notifications.preferences import put_preferences
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonErased
from shared.contracts.registry import HR_PEOPLE
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.integration.notifications.builders import add_contacts, as_person, health, parsed, work
from tests.support.auth import bearer
from tests.support.processes import running
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration


async def _traces(store: NotificationsStore, person_id: str) -> list[str]:
    found = []
    for name in await store.db.list_collection_names():
        for doc in await store.db[name].find({}).to_list():
            if person_id in json.dumps(doc, default=str, ensure_ascii=False):
                found.append(f"{name}:{doc['_id']}")
    return found


async def test_an_erased_person_leaves_no_trace_and_the_ledger_keeps_its_counts(
    stack: LocalStack,
    database_name: str,
    log_dir: Path,
    store: NotificationsStore,
    senders,
    settings: NotificationsSettings,
) -> None:
    run = uuid.uuid4().hex[:8]
    gone, keep = f"gone-{run}", f"keep-{run}"
    now = datetime.now(UTC).replace(microsecond=0)
    await add_contacts(store, (gone, f"{gone}@example.org", "UTC"), (keep, f"{keep}@e.org", "UTC"))
    await put_preferences(
        work(store, caller=as_person(gone)),
        person_id=gone,
        values={
            "default_channels": ["inbox", "email"],
            "webhook_url": f"https://hooks.example/{gone}",
        },
    )
    explanation = m.Explanation(total_score=1, contributions={}, constraints_satisfied=())
    proposed = m.MatchProposed(
        match_id=f"match-{run}",
        program_id="program-1",
        kind=m.ProgramKind.PEER_COACHING,
        members=(
            m.Member(person_id=gone, role=m.MemberRole.PEER),
            m.Member(person_id=keep, role=m.MemberRole.PEER),
        ),
        explanation=explanation,
        expires_at=now + timedelta(days=5),
    )
    scheduled = s.MeetingScheduled(
        meeting_id=f"meeting-{run}",
        relationship_id=f"rel-{run}",
        program_id="program-1",
        member_ids=(gone, keep),
        organiser_id=gone,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=1),
        time_zone="UTC",
        sequence=0,
    )
    events = [
        parsed(proposed, at=now),
        parsed(scheduled, at=now, subject=f"rel-{run}"),
        health("at_risk", at=now, members=(gone, keep), relationship_id=f"rel-{run}"),
    ]
    await plan_from_events(work(store, now=now), events)
    result = await dispatch_due(work(store, settings, now=now), senders)
    assert result.sent > 0
    ledger_before = await store.deliveries.count_documents({"recipient_id": gone})
    assert ledger_before > 0
    assert await store.inbox.count_documents({"recipient_id": gone}) > 0
    assert await store.queue.count_documents({"recipient_id": gone, "state": "pending"}) > 0
    assert await store.deliveries.count_documents({"pending_events": {"$ne": []}}) > 0
    total_ledger = await store.deliveries.count_documents({})
    keep_inbox = await store.inbox.count_documents({"recipient_id": keep})

    with (
        running(stack, "notifications", "api", database=database_name, log_dir=log_dir) as api,
        running(
            stack,
            "notifications",
            "worker",
            database=database_name,
            log_dir=log_dir,
            kafka_consumer_group=f"notifications-{database_name}",
            dispatch_interval_s="3600",
        ),
    ):
        producer = EventProducer(stack.bootstrap_servers, service="hr")
        try:
            await producer.publish(
                OutgoingMessage.for_event(
                    HR_PEOPLE.name,
                    Envelope.wrap(PersonErased(person_id=gone), source="/hr", subject=gone),
                )
            )
        finally:
            producer.close()

        for _ in range(240):
            if not await _traces(store, gone):
                break
            await asyncio.sleep(0.25)
        assert await _traces(store, gone) == []

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api['port']}") as client:
            as_gone = bearer(gone)
            assert (await client.get("/inbox", headers=as_gone)).json()["total"] == 0
            assert (await client.get("/deliveries", headers=as_gone)).json()["total"] == 0
            defaults = (await client.get(f"/people/{gone}/preferences", headers=as_gone)).json()
            assert defaults["version"] == 0 and defaults["webhook_url"] is None

    alias = pseudonym(gone)
    assert await store.deliveries.count_documents({}) == total_ledger
    assert await store.deliveries.count_documents({"recipient_id": alias}) == ledger_before
    assert await store.inbox.count_documents({"recipient_id": keep}) == keep_inbox
    reminder = await store.queue.find_one(
        {"recipient_id": keep, "type": "meeting_reminder", "state": "pending"}
    )
    assert reminder is not None and alias in reminder["extra"]["member_ids"]
    members = await store.match_members.find_one({"_id": f"match-{run}"})
    assert sorted(members["member_ids"]) == sorted([alias, keep])

    # Planned again later (an event still in flight): nothing is queued for them.
    late = health("stalled", at=now, members=(gone, keep), relationship_id=f"rel2-{run}")
    await plan_from_events(work(store, now=now), [late])
    assert await _traces(store, gone) == []
    assert await store.queue.count_documents({"recipient_id": keep, "subject_id": f"rel2-{run}"})
