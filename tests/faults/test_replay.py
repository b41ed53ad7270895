"""Replay across the whole platform: a program cycle runs through the real services
(import, match, activate, schedule, remind, feedback); then every worker re-consumes
all of its topics from the beginning under a fresh consumer group. Every service's
state, the delivered notifications (ledger, inbox and the mail server's count) and the
topics themselves are unchanged."""

from __future__ import annotations

import asyncio
import json
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from services.matcher.store_pool import POOL_VERSIONS
from shared.kafka.admin import provision_topics
from shared.kafka.dedupe import COLLECTION as PROCESSED_EVENTS
from tests.integration.notifications.receivers import SmtpSink
from tests.support.auth import issuer_directory
from tests.support.processes import running
from tools.cycle import Endpoints, ProgramCycle
from tools.localstack import LocalStack
from tools.settle import CONSUMED, PUBLISHED, topic_event_ids, wait_until_applied

pytestmark = pytest.mark.faults

#: Bookkeeping of *which group* applied an event: a fresh group adds its own rows; and the
#: matcher's cache tokens, renewed by every write to people or enrollments (a re-applied
#: fact rewrites the same person, and any cached roster is rebuilt: slower, not different).
NOT_STATE = {PROCESSED_EVENTS, POOL_VERSIONS}


async def service_state(db) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """Every document of every collection but the consumer bookkeeping, by _id."""
    state = {}
    for name in sorted(await db.list_collection_names()):
        if name not in NOT_STATE:
            docs = await db[name].find({}).to_list()
            state[name] = {str(d["_id"]): json.dumps(d, sort_keys=True, default=str) for d in docs}
    return state


def changes(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> list[str]:
    """What differs, document by document (empty when nothing does)."""
    out = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name, {}), after.get(name, {})
        for key in sorted(old.keys() | new.keys()):
            if old.get(key) != new.get(key):
                out.append(f"{name}/{key}: {old.get(key)} -> {new.get(key)}")
    return out


async def delivered(db, smtp: SmtpSink) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        "ledger_sent": await db.deliveries.count_documents({"status": "sent"}),
        "inbox": await db.inbox.count_documents({}),
        "mail": len(smtp.messages),
    }


async def test_replaying_every_topic_under_fresh_groups_changes_no_service_state(
    tmp_path: Path, log_dir: Path
) -> None:
    stack = LocalStack(tmp_path / "stack").start()
    provision_topics(stack.bootstrap_servers)
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    names = {s: f"replay_{s}" for s in CONSUMED}
    dbs = {s: mongo[name] for s, name in names.items()}
    far_weekday = (datetime.now(UTC).weekday() + 3) % 7

    def workers(generation: str, smtp_port: int) -> ExitStack:
        processes = ExitStack()
        for service in CONSUMED:
            extra = {"kafka_consumer_group": f"{service}-{generation}"}
            if service == "notifications":
                extra |= {
                    "reminder_offsets_minutes": "[1]",
                    "dispatch_interval_s": "0.5",
                    "smtp_port": str(smtp_port),
                    # Weekly schedules get their slot at once, and no slot falls
                    # inside the test: a prompt sent between the snapshots would be
                    # the clock's doing, not the replay's.
                    "periodic_interval_s": "0.5",
                    "journal_prompt_weekday": str(far_weekday),
                    "admin_digest_weekday": str(far_weekday),
                }
            roles = ("worker", "dispatcher") if service == "notifications" else ("worker",)
            for role in roles:
                processes.enter_context(
                    running(stack, service, role, database=names[service], log_dir=log_dir, **extra)
                )
        return processes

    try:
        with SmtpSink() as smtp:
            first = {s: f"{s}-first" for s in CONSUMED}
            with workers("first", smtp.port), ExitStack() as apis:
                ports = {
                    s: apis.enter_context(
                        running(stack, s, "api", database=names[s], log_dir=log_dir)
                    )["port"]
                    for s in ("matcher", "sessions")
                }
                cycle = ProgramCycle(
                    Endpoints(
                        matcher=f"http://127.0.0.1:{ports['matcher']}",
                        sessions=f"http://127.0.0.1:{ports['sessions']}",
                    ),
                    issuer_dir=issuer_directory(),
                    reminders_delivered=lambda: dbs["notifications"].inbox.count_documents(
                        {"type": "meeting_reminder"}
                    ),
                    people=24,
                    meeting_lead=timedelta(seconds=75),
                    effect_timeout_s=90,
                )
                result = await cycle.run()
                assert result.matches == 12 and len(result.meeting_ids) == 12
                await wait_until_applied(stack.bootstrap_servers, dbs, first)
            before = {s: await service_state(db) for s, db in dbs.items()}
            sent_before = await delivered(dbs["notifications"], smtp)
            topics_before = await topic_event_ids(stack.bootstrap_servers, PUBLISHED)
            # A normal cycle publishes every event once (consumers de-duplicate, but the
            # happy path must not rely on it).
            repeated = {t: len(ids) - len(set(ids)) for t, ids in topics_before.items()}
            assert not any(repeated.values()), f"envelope ids repeated: {repeated}"
            # Every member got an introduction, a meeting notice and a reminder (a proposal
            # is withdrawn if its match was accepted before the notifier dispatched it).
            counts = await (
                await dbs["notifications"].inbox.aggregate(
                    [{"$group": {"_id": "$type", "n": {"$sum": 1}}}]
                )
            ).to_list()
            by_type = {c["_id"]: c["n"] for c in counts}
            for kind in ("match_activated", "meeting_scheduled", "meeting_reminder"):
                assert by_type.get(kind) == 24, (kind, by_type)

            with workers("replay", smtp.port):
                await wait_until_applied(
                    stack.bootstrap_servers, dbs, {s: f"{s}-replay" for s in CONSUMED}
                )
                await asyncio.sleep(3)  # a re-planned send would fall due now
            for service, db in dbs.items():
                changed = changes(before[service], await service_state(db))
                assert not changed, f"{service}:\n" + "\n".join(changed)
            assert await delivered(dbs["notifications"], smtp) == sent_before
            assert await topic_event_ids(stack.bootstrap_servers, PUBLISHED) == topics_before
    finally:
        await mongo.close()
        stack.stop()
