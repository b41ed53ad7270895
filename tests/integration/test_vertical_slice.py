"""The backbone end to end: HTTP write -> outbox -> Kafka -> another service's worker.

Real processes (the matcher API, the sessions worker) over the real local broker
and database.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pymongo import AsyncMongoClient

from shared.contracts.envelope import Envelope
from shared.contracts.matching import ProgramOpened
from shared.contracts.registry import PROGRAMS
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.support.auth import bearer
from tests.support.processes import running
from tests.support.waiting import eventually
from tools.localstack import LocalStack, free_port
from tools.topics import read_topic

pytestmark = pytest.mark.integration


async def test_program_created_over_http_reaches_sessions_projection_once_and_poison_goes_to_dlq(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    sessions_db = mongo[f"{database_name}_sessions"]
    producer = EventProducer(stack.bootstrap_servers, service="test")
    dlq_before = len(await read_topic(stack.bootstrap_servers, PROGRAMS.dlq))
    metrics_port = free_port()
    try:
        with (
            running(
                stack, "matcher", "api", database=f"{database_name}_matcher", log_dir=log_dir
            ) as api,
            running(
                stack,
                "sessions",
                "worker",
                database=f"{database_name}_sessions",
                log_dir=log_dir,
                kafka_consumer_group=f"sessions-{database_name}",
                worker_metrics_port=str(metrics_port),
            ),
        ):
            # 1. An HTTP call stores a program and publishes through the outbox.
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{api['port']}", headers=bearer("admin", "program_admin")
            ) as client:
                created = await client.post(
                    "/programs",
                    json={"name": "Slice", "kind": "peer_coaching", "cadence_days": 14},
                )
            assert created.status_code == 201, created.text
            program_id = created.json()["id"]

            # 2. The sessions worker consumes it into its own projection.
            projected = await eventually(
                lambda: sessions_db.programs.find_one({"_id": program_id}),
                what="sessions projection of the program",
            )
            assert projected["cadence_days"] == 14
            assert projected["kind"] == "peer_coaching"

            # 3. The same event id again (with altered data, so a re-apply would show)
            #    is skipped; a marker behind it on the same partition proves it was read.
            on_topic = [
                r
                for r in await read_topic(stack.bootstrap_servers, PROGRAMS.name)
                if r.key == program_id.encode()
            ]
            original = Envelope.from_bytes(on_topic[0].value)
            duplicate = original.model_copy(update={"data": {**original.data, "cadence_days": 99}})
            marker = Envelope.wrap(
                ProgramOpened(program_id=f"{program_id}-marker", kind="peer_coaching"),
                source="/test",
                subject=program_id,  # same key, same partition, after the duplicate
            )
            await producer.publish_many(
                [
                    OutgoingMessage.for_event(PROGRAMS.name, duplicate),
                    OutgoingMessage(PROGRAMS.name, program_id, b'{"not": "an envelope"}'),
                    OutgoingMessage.for_event(PROGRAMS.name, marker),
                ]
            )
            await eventually(
                lambda: sessions_db.programs.find_one({"_id": f"{program_id}-marker"}),
                what="the marker behind the duplicate and the poison message",
            )
            still = await sessions_db.programs.find_one({"_id": program_id})
            assert still["cadence_days"] == 14, "a duplicate event id was applied again"

            # 4. The malformed message is in the dead-letter topic with its origin.
            dead = await eventually(
                lambda: _new_dead_letters(stack, dlq_before), what="the dead letter"
            )
            assert len(dead) == 1
            headers = dict(dead[0].headers)
            assert headers["dlq.origin.topic"] == PROGRAMS.name.encode()
            assert int(headers["dlq.origin.offset"]) >= 0
            assert headers["dlq.error.reason"] == b"invalid_envelope"
            assert dead[0].value == b'{"not": "an envelope"}'

            # 5. The worker reports its consumer lag per partition: caught up, so zero.
            async with httpx.AsyncClient() as client:
                metrics = (await client.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
            lags = [
                line
                for line in metrics.splitlines()
                if line.startswith("mentoring_consumer_lag{") and PROGRAMS.name in line
            ]
            assert lags and all(line.endswith(" 0.0") for line in lags), lags
    finally:
        producer.close()
        await mongo.close()


async def _new_dead_letters(stack: LocalStack, before: int) -> list[object]:
    records = await read_topic(stack.bootstrap_servers, PROGRAMS.dlq)
    return records[before:]
