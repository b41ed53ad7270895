"""The real sessions worker process: an activated match becomes exactly one relationship,
however often it is delivered; flagged pauses it, ended closes it."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from shared.contracts.envelope import Envelope
from shared.contracts.matching import MatchEnded, MatchFlagged, ProgramOpened
from shared.contracts.registry import MATCHES, PROGRAMS, SESSIONS
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.support.processes import running
from tests.support.waiting import eventually
from tools.localstack import LocalStack
from tools.topics import read_topic

from .conftest import activated

pytestmark = pytest.mark.integration


async def _sessions_events(stack: LocalStack, key: str) -> dict[str, dict]:
    records = await read_topic(stack.bootstrap_servers, SESSIONS.name)
    return {
        body["id"]: body for body in (json.loads(r.value) for r in records if r.key == key.encode())
    }


async def test_activated_match_delivered_three_times_creates_one_relationship(
    stack: LocalStack, database_name: str, log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_DATADIR", str(log_dir / "faust-data"))  # not in the work tree
    mongo: AsyncMongoClient[dict] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = mongo[database_name]
    producer = EventProducer(stack.bootstrap_servers, service="test")
    tag = uuid.uuid4().hex[:8]
    program_id, match_id = f"prog-{tag}", f"match-{tag}"
    rel_id = f"rel-{match_id}"
    try:
        program = Envelope.wrap(
            ProgramOpened(program_id=program_id, kind="peer_group", cadence_days=21),
            source="/test",
            subject=program_id,
        )
        data = activated(
            match_id=match_id,
            program_id=program_id,
            kind="peer_group",
            members=(("p-a", "peer"), ("p-b", "peer"), ("p-c", "peer")),
            starts_on=date(2027, 1, 4),
        )
        first = Envelope.wrap(data, source="/test", subject=match_id)
        republished = Envelope.wrap(data, source="/test", subject=match_id)  # a new envelope id
        with running(
            stack,
            "sessions",
            "worker",
            database=database_name,
            log_dir=log_dir,
            kafka_consumer_group=f"sessions-{tag}",
        ):
            # programs open long before their matches: the projection is there first
            await producer.publish(OutgoingMessage.for_event(PROGRAMS.name, program))
            await eventually(
                lambda: db.programs.find_one({"_id": program_id}), what="the program projection"
            )
            await producer.publish_many(
                [
                    OutgoingMessage.for_event(MATCHES.name, first),
                    OutgoingMessage.for_event(MATCHES.name, first),
                    OutgoingMessage.for_event(MATCHES.name, republished),
                ]
            )
            rel = await eventually(
                lambda: db.relationships.find_one({"_id": rel_id}), what="the relationship"
            )
            assert rel["kind"] == "peer_group"
            assert rel["member_ids"] == ["p-a", "p-b", "p-c"]
            assert {m["role"] for m in rel["members"]} == {"participant"}
            assert rel["cadence_days"] == 21  # from the program projection

            flagged = MatchFlagged(
                match_id=match_id, program_id=program_id, reason_codes=("new_manager",)
            )
            await producer.publish(
                OutgoingMessage.for_event(
                    MATCHES.name, Envelope.wrap(flagged, source="/test", subject=match_id)
                )
            )
            await eventually(
                lambda: db.relationships.find_one({"_id": rel_id, "status": "paused"}),
                what="the pause",
            )
            ended = Envelope.wrap(
                MatchEnded(match_id=match_id, program_id=program_id, reason_code="admin"),
                source="/test",
                subject=match_id,
            )
            # the end, delivered twice, then the activation once more (a replay)
            await producer.publish_many(
                [OutgoingMessage.for_event(MATCHES.name, e) for e in (ended, ended, first)]
            )
            await eventually(
                lambda: db.relationships.find_one({"_id": rel_id, "status": "ended"}),
                what="the end",
            )

            async def all_published() -> dict[str, dict] | None:
                events = await _sessions_events(stack, rel_id)
                types = sorted(e["type"] for e in events.values())
                return events if len(types) >= 3 else None

            events = await eventually(all_published, what="the relationship's events")
            await asyncio.sleep(1.0)  # anything extra would show up now
            events = await _sessions_events(stack, rel_id)
        assert await db.relationships.count_documents({"match_id": match_id}) == 1
        assert sorted(e["type"] for e in events.values()) == [
            "sessions.relationship.ended",
            "sessions.relationship.paused",
            "sessions.relationship.started",
        ]
        started = next(e for e in events.values() if e["type"].endswith("started"))
        assert started["data"]["member_ids"] == ["p-a", "p-b", "p-c"]
        assert started["data"]["cadence_days"] == 21
    finally:
        producer.close()
        await mongo.close()
