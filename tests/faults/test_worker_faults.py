"""Fault injection on the consumer path, with the matcher worker as a real process:
a worker killed mid-stream, poison messages mixed in, and a full replay.

The events are person upserts, whose handler is replay-safe (``shared.service``): the
worker keeps no record of having applied them, so progress is the projection's count,
and "applied once" is the projection holding exactly what one application of every
event gives (``holds_exactly_once``), whatever was applied again after a fault."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import signal
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from services.matcher.projections import person_upserted
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonUpserted
from shared.contracts.registry import parse_event
from shared.kafka.admin import provision_topics
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.support.processes import assigned_becomes, running
from tools.localstack import LocalStack
from tools.settle import partitions_consumed
from tools.topics import read_topic

pytestmark = pytest.mark.faults


@pytest.fixture
def private_stack(tmp_path: Path) -> LocalStack:
    """A broker and database of its own: these tests fill and replay whole topics."""
    stack = LocalStack(tmp_path / "stack").start()
    provision_topics(stack.bootstrap_servers)
    yield stack
    stack.stop()


def people_events(count: int, tag: str) -> list[OutgoingMessage]:
    return [
        OutgoingMessage.for_event(
            "hr.people.v1",
            Envelope.wrap(
                PersonUpserted(
                    person_id=f"{tag}-{i:05d}",
                    display_name=f"P {i}",
                    email=f"{tag}{i}@example.com",
                    level=i % 12,
                    department=f"d{i % 7}",
                ),
                source="/faults",
                subject=f"{tag}-{i:05d}",
                event_id=f"{tag}-event-{i}",
            ),
        )
        for i in range(count)
    ]


def once_applied(messages: list[OutgoingMessage]) -> dict[str, dict[str, object]]:
    """The projection's documents after one application of each (good) person event."""
    expected: dict[str, dict[str, object]] = {}
    for message in messages:
        event = parse_event("hr.people.v1", message.value)
        _, person_id, fields = person_upserted(event.data, at=event.as_of)  # type: ignore[arg-type]
        expected[person_id] = {"_id": person_id, **fields}
    return expected


async def holds_exactly_once(db, messages: list[OutgoingMessage]) -> bool:  # type: ignore[no-untyped-def]
    docs = await db.people.find({}).to_list()
    return {doc["_id"]: doc for doc in docs} == once_applied(messages)


async def state_hash(db) -> str:  # type: ignore[no-untyped-def]
    docs = await db.people.find({}).sort("_id", 1).to_list()
    return hashlib.sha256(json.dumps(docs, sort_keys=True, default=str).encode()).hexdigest()


async def wait_for_count(collection, expected: int, timeout_s: float = 120) -> int:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while (count := await collection.count_documents({})) < expected:
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.25)
    return count


async def test_worker_killed_five_times_mid_stream_applies_every_event_as_if_once(
    private_stack: LocalStack, log_dir: Path
) -> None:
    total = 10_000
    producer = EventProducer(private_stack.bootstrap_servers, service="faults")
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(private_stack.mongo_url)
    db = mongo["faults_kill"]
    rng = random.Random(20261128)
    try:
        events = people_events(total, "k")
        await producer.publish_many(events)
        kill_points = sorted(rng.sample(range(1, 9), 5))  # tenths of the stream, distinct
        for tenth in kill_points:
            with running(
                private_stack,
                "matcher",
                "worker",
                database="faults_kill",
                log_dir=log_dir,
                kafka_consumer_group="faults-kill",
                consumer_batch_size="200",
            ) as worker:
                target = total * tenth // 10
                await wait_for_count(db.people, target, timeout_s=90)
                os.killpg(worker["proc"].pid, signal.SIGKILL)  # mid-stream, no goodbye
                worker["proc"].wait()
        with running(
            private_stack,
            "matcher",
            "worker",
            database="faults_kill",
            log_dir=log_dir,
            kafka_consumer_group="faults-kill",
        ):
            assert await wait_for_count(db.people, total) == total
            assert await _uncommitted(private_stack, "faults-kill", "hr.people.v1", total) == 0
        assert await holds_exactly_once(db, events)
        sample = await db.people.find_one({"_id": "k-04242"})
        assert sample is not None and sample["level"] == 4242 % 12
    finally:
        producer.close()
        await mongo.close()


async def test_poison_messages_go_to_the_dead_letter_topic_and_the_rest_is_applied(
    private_stack: LocalStack, log_dir: Path
) -> None:
    good = people_events(950, "g")
    poison: list[OutgoingMessage] = []
    for i in range(50):
        envelope = json.loads(good[i].value)
        if i % 3 == 0:
            envelope["dataschema"] = envelope["dataschema"].replace(":v1", ":v7")  # unknown ver.
        elif i % 3 == 1:
            envelope["data"]["level"] = "senior"  # breaks the contract
        else:
            envelope = {"garbage": i}
        envelope_id = f"poison-{i}"
        if "id" in envelope:
            envelope["id"] = envelope_id
        poison.append(OutgoingMessage("hr.people.v1", f"x{i}", json.dumps(envelope).encode()))
    mixed = good + poison
    random.Random(7).shuffle(mixed)
    producer = EventProducer(private_stack.bootstrap_servers, service="faults")
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(private_stack.mongo_url)
    try:
        await producer.publish_many(mixed)
        with running(
            private_stack,
            "matcher",
            "worker",
            database="faults_poison",
            log_dir=log_dir,
            kafka_consumer_group="faults-poison",
        ) as worker:
            db = mongo["faults_poison"]
            assert await wait_for_count(db.people, 950, timeout_s=90) == 950
            dead = await _wait_for_records(private_stack, "hr.people.v1.dlq", 50)
            assert worker["proc"].poll() is None, "the worker crashed"
            assert await _uncommitted(private_stack, "faults-poison", "hr.people.v1", 1000) == 0
        assert len(dead) == 50
        for record in dead:
            headers = dict(record.headers)
            assert headers["dlq.origin.topic"] == b"hr.people.v1"
            assert headers["dlq.error.reason"] in (
                b"unknown_schema",
                b"invalid_data",
                b"invalid_envelope",
            )
            assert int(headers["dlq.origin.offset"]) >= 0
        assert await mongo["faults_poison"].people.count_documents({}) == 950
    finally:
        producer.close()
        await mongo.close()


async def test_replaying_the_whole_topic_under_a_fresh_group_changes_no_state(
    private_stack: LocalStack, log_dir: Path
) -> None:
    producer = EventProducer(private_stack.bootstrap_servers, service="faults")
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(private_stack.mongo_url)
    db = mongo["faults_replay"]
    try:
        events = people_events(2_000, "r")
        updates = people_events(500, "r")  # later versions of the first 500 people
        updates = [
            OutgoingMessage.for_event(
                "hr.people.v1",
                Envelope.wrap(
                    PersonUpserted.model_validate({**json.loads(m.value)["data"], "level": 29}),
                    source="/faults",
                    subject=m.key,
                    event_id=f"update-{m.key}",
                ),
            )
            for m in updates
        ]
        await producer.publish_many(events + updates)
        with running(
            private_stack,
            "matcher",
            "worker",
            database="faults_replay",
            log_dir=log_dir,
            kafka_consumer_group="faults-replay-1",
        ):
            await wait_for_count(db.people, 2_000)
            assert await _uncommitted(private_stack, "faults-replay-1", "hr.people.v1", 2_500) == 0
        before = await state_hash(db)
        with running(
            private_stack,
            "matcher",
            "worker",
            database="faults_replay",
            log_dir=log_dir,
            kafka_consumer_group="faults-replay-2",
        ):
            # every event seen again
            assert await _uncommitted(private_stack, "faults-replay-2", "hr.people.v1", 2_500) == 0
        assert await state_hash(db) == before
        assert (await db.people.find_one({"_id": "r-00007"}))["level"] == 29
    finally:
        producer.close()
        await mongo.close()


async def _wait_for_records(stack: LocalStack, topic: str, expected: int) -> list[object]:
    for _ in range(120):
        records = await read_topic(stack.bootstrap_servers, topic)
        if len(records) >= expected:
            return records
        await asyncio.sleep(0.5)
    return records


async def _uncommitted(stack: LocalStack, group: str, topic: str, published: int) -> int:
    """Messages on ``topic`` the group has not committed past (the consumer lag), waiting
    up to 30 s for commits to catch up. Counted against what the test published, since the
    local broker's ListOffsets can under-report the high watermark of batched writes."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    try:
        lag = published
        for _ in range(60):
            found = (await asyncio.to_thread(admin.list_group_offsets, group))[group]
            lag = published - sum(m.offset for tp, m in found.items() if tp.topic == topic)
            if lag == 0:
                break
            await asyncio.sleep(0.5)
        return lag
    finally:
        admin.close()


async def test_a_database_outage_mid_stream_loses_nothing_and_dead_letters_nothing(
    private_stack: LocalStack, log_dir: Path
) -> None:
    total = 5_000
    producer = EventProducer(private_stack.bootstrap_servers, service="faults")
    try:
        events = people_events(total, "o")
        await producer.publish_many(events)
        with running(
            private_stack,
            "matcher",
            "worker",
            database="faults_outage",
            log_dir=log_dir,
            kafka_consumer_group="faults-outage",
            consumer_batch_size="100",
        ) as worker:
            mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
                private_stack.mongo_url, serverSelectionTimeoutMS=2000
            )
            db = mongo["faults_outage"]
            await wait_for_count(db.people, total // 5, timeout_s=90)
            await mongo.close()
            private_stack.stop_database()
            await asyncio.sleep(20)
            assert worker["proc"].poll() is None, "the worker must ride out the outage"
            private_stack.start_database()
            mongo = AsyncMongoClient(private_stack.mongo_url)
            db = mongo["faults_outage"]
            try:
                processed = await wait_for_count(db.people, total, timeout_s=120)
                exact = await holds_exactly_once(db, events)
            finally:
                await mongo.close()
        assert processed == total and exact
        assert await read_topic(private_stack.bootstrap_servers, "hr.people.v1.dlq") == []
        log = Path(str(worker["log"])).read_text()  # noqa: ASYNC240 - after the run
        assert "transient_failure_retrying" in log, "the outage was not noticed at all"
    finally:
        producer.close()


async def test_sigterm_under_load_finishes_in_flight_requests_and_commits_what_was_applied(
    private_stack: LocalStack, log_dir: Path
) -> None:
    """Graceful shutdown: what the API accepted is kept (a request caught on a closing
    keep-alive connection is retried with its idempotency key); the worker stops cleanly
    and a successor continues from the committed offsets, applying every event once."""
    import httpx

    from tests.support.auth import bearer

    total = 6_000
    producer = EventProducer(private_stack.bootstrap_servers, service="faults")
    admin = bearer("shutdown-admin", "program_admin")
    try:
        results = await _programs_created_across_a_sigterm(private_stack, log_dir, admin)
        accepted = [i for i, outcome in results.items() if outcome == "ok"]
        assert accepted, "some requests completed before the stop"
        assert not [o for o in results.values() if o not in ("ok", "refused", "cut")], results
        # Anything not answered is retried with its idempotency key on a fresh process:
        # it completes exactly once, and nothing accepted earlier was lost or doubled.
        with running(
            private_stack, "matcher", "api", database="faults_term", log_dir=log_dir
        ) as api:
            base = f"http://127.0.0.1:{api['port']}"
            async with httpx.AsyncClient(base_url=base, headers=admin, timeout=30) as client:
                for i, outcome in results.items():
                    if outcome != "ok":
                        retried = await client.post(
                            "/programs",
                            json={"name": f"P{i}", "kind": "peer_coaching"},
                            headers={"Idempotency-Key": f"term-{i}"},
                        )
                        assert retried.status_code in (200, 201)
                listed = (await client.get("/programs", params={"limit": 200})).json()
        assert listed["total"] == len(results)

        events = people_events(total, "t")
        await producer.publish_many(events)
        mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(private_stack.mongo_url)
        db = mongo["faults_term"]
        try:
            with running(
                private_stack,
                "matcher",
                "worker",
                database="faults_term",
                log_dir=log_dir,
                kafka_consumer_group="faults-term",
                consumer_batch_size="200",
            ) as worker:
                await wait_for_count(db.people, total // 3, timeout_s=90)
                os.killpg(worker["proc"].pid, signal.SIGTERM)
                code = worker["proc"].wait(timeout=30)
            assert code == 0, f"worker exited with {code}"
            stopped_at = await db.people.count_documents({})
            with running(
                private_stack,
                "matcher",
                "worker",
                database="faults_term",
                log_dir=log_dir,
                kafka_consumer_group="faults-term",
            ):
                processed = await wait_for_count(db.people, total)
            assert processed == total
            assert await holds_exactly_once(db, events)
            assert stopped_at < total, "the stop came mid-stream"
        finally:
            await mongo.close()
    finally:
        producer.close()


async def _programs_created_across_a_sigterm(
    stack: LocalStack, log_dir: Path, admin: dict[str, str]
) -> dict[int, str]:
    import httpx

    with running(stack, "matcher", "api", database="faults_term", log_dir=log_dir) as api:
        base = f"http://127.0.0.1:{api['port']}"
        async with httpx.AsyncClient(base_url=base, headers=admin, timeout=30) as client:
            done: list[int] = []

            async def create(i: int) -> tuple[int, str]:
                try:
                    response = await client.post(
                        "/programs",
                        json={"name": f"P{i}", "kind": "peer_coaching"},
                        headers={"Idempotency-Key": f"term-{i}"},
                    )
                    done.append(i)
                    return i, "ok" if response.status_code == 201 else str(response.status_code)
                except httpx.ConnectError:
                    return i, "refused"  # after the listener closed: never started
                except (httpx.ReadError, httpx.RemoteProtocolError):
                    return i, "cut"  # sent on a keep-alive connection the server was closing

            calls = [asyncio.create_task(create(i)) for i in range(150)]
            for _ in range(200):  # stop mid-load: once some requests have been answered
                if len(done) >= 10:
                    break
                await asyncio.sleep(0.05)
            os.killpg(api["proc"].pid, signal.SIGTERM)
            outcomes = dict(await asyncio.gather(*calls))
            assert api["proc"].wait(timeout=30) in (0, -signal.SIGTERM)
    return outcomes


async def test_a_crash_between_saving_and_publishing_loses_no_event_20_times(
    private_stack: LocalStack, log_dir: Path
) -> None:
    """Each cycle saves programs (state and events in one write) in an API whose relay
    is off, then SIGKILLs it: the events exist only in the outbox. A later process relays
    them all; the sessions worker applies each exactly once."""
    import httpx

    from tests.support.auth import bearer

    admin = bearer("crash-admin", "program_admin")
    created: list[str] = []
    for cycle in range(20):
        with running(
            private_stack,
            "matcher",
            "api",
            database="faults_outbox",
            log_dir=log_dir,
            outbox_relay_enabled="false",
        ) as api:
            base = f"http://127.0.0.1:{api['port']}"
            async with httpx.AsyncClient(base_url=base, headers=admin, timeout=30) as client:
                for i in range(5):
                    response = await client.post(
                        "/programs", json={"name": f"C{cycle}-{i}", "kind": "peer_group"}
                    )
                    assert response.status_code == 201
                    created.append(response.json()["id"])
            os.killpg(api["proc"].pid, signal.SIGKILL)
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(private_stack.mongo_url)
    try:
        pending = await mongo["faults_outbox"].programs.count_documents({"outbox_pending": True})
        assert pending == 100, "every crashed cycle left its events in the outbox"
        with (
            running(
                private_stack,
                "matcher",
                "worker",
                database="faults_outbox",
                log_dir=log_dir,
                kafka_consumer_group="faults-outbox-m",
            ),
            running(
                private_stack,
                "sessions",
                "worker",
                database="faults_outbox_sessions",
                log_dir=log_dir,
                kafka_consumer_group="faults-outbox-s",
            ),
        ):
            projection = mongo["faults_outbox_sessions"].programs
            assert await wait_for_count(projection, 100) == 100
            await asyncio.sleep(2)
            assert await projection.count_documents({}) == 100
        left = await mongo["faults_outbox"].programs.count_documents({"outbox_pending": True})
        assert left == 0
    finally:
        await mongo.close()
    records = await read_topic(private_stack.bootstrap_servers, "mentoring.programs.v1")
    published = [Envelope.from_bytes(r.value).subject for r in records]
    assert sorted(published) == sorted(created), "each event published exactly once"


async def test_a_stalled_worker_loses_nothing_and_the_group_recovers(
    private_stack: LocalStack, log_dir: Path
) -> None:
    """Two workers share the group; one is SIGSTOPped past the session timeout (its
    partitions move to the other), then SIGCONTinued. Every event is applied once."""
    from tools.localstack import free_port

    total = 8_000
    producer = EventProducer(private_stack.bootstrap_servers, service="faults")
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(private_stack.mongo_url)
    db = mongo["faults_stall"]
    common = {
        "database": "faults_stall",
        "log_dir": log_dir,
        "kafka_consumer_group": "faults-stall",
        "consumer_batch_size": "100",
    }
    second_metrics = free_port()
    try:
        with (
            running(
                private_stack, "matcher", "worker", **common, worker_metrics_port=str(free_port())
            ) as first,
            running(
                private_stack,
                "matcher",
                "worker",
                **common,
                worker_metrics_port=str(second_metrics),
            ),
        ):
            await asyncio.sleep(12)  # both joined (the local broker waits the rebalance out)
            events = people_events(total, "s")
            await producer.publish_many(events)
            await wait_for_count(db.people, total // 10, timeout_s=90)
            every = partitions_consumed("matcher")  # all of the worker's topics
            assert not await assigned_becomes(second_metrics, every, timeout_s=1), (
                "the two workers should share the partitions before the stall"
            )
            os.killpg(first["proc"].pid, signal.SIGSTOP)
            # Past the 10 s session timeout the other worker takes every partition.
            took_over = await assigned_becomes(second_metrics, every, timeout_s=40)
            os.killpg(first["proc"].pid, signal.SIGCONT)
            assert took_over, "the live worker never took over the stalled one's partitions"
            processed = await wait_for_count(db.people, total, timeout_s=180)
            assert first["proc"].poll() is None, "the stalled worker came back"
        assert processed == total
        assert await holds_exactly_once(db, events)
    finally:
        producer.close()
        await mongo.close()


async def test_a_10_second_broker_connection_cut_loses_nothing(
    tmp_path: Path, log_dir: Path
) -> None:
    """Producer and worker reach the broker through a proxy (the broker advertises it);
    the proxy drops every connection for 10 s mid-stream. Both recover; nothing is lost."""
    from tests.support.proxy import CuttableProxy
    from tools.localstack import free_port

    broker_port = free_port()
    proxy = CuttableProxy(broker_port).start()
    stack = LocalStack(
        tmp_path / "cut", broker_port=broker_port, advertised_broker_port=proxy.port
    ).start()
    total = 6_000
    try:
        await asyncio.to_thread(provision_topics, stack.bootstrap_servers)
        producer = EventProducer(stack.bootstrap_servers, service="faults")
        mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url)
        db = mongo["faults_cut"]
        try:
            with running(
                stack,
                "matcher",
                "worker",
                database="faults_cut",
                log_dir=log_dir,
                kafka_consumer_group="faults-cut",
                consumer_batch_size="100",
            ):
                events = people_events(total, "x")
                await producer.publish_many(events[: total // 2])
                await wait_for_count(db.people, total // 6, timeout_s=90)
                proxy.cut(10)
                await asyncio.sleep(1)
                started = asyncio.get_running_loop().time()
                await producer.publish_many(events[total // 2 :])  # waits out the cut
                waited = asyncio.get_running_loop().time() - started
                assert waited > 5, "the cut did not reach the producer"
                processed = await wait_for_count(db.people, total, timeout_s=180)
            assert processed == total
            assert await holds_exactly_once(db, events)
        finally:
            producer.close()
            await mongo.close()
    finally:
        stack.stop()
        proxy.stop()
