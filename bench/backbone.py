"""Backbone throughput on the local broker: raw clients vs the project's helpers.

Prints, for the same messages in the same run:
  BENCH kafka_python_produce msgs_per_s=<n>   raw kafka-python producer (acks=all)
  BENCH helper_produce msgs_per_s=<n>         shared.kafka.EventProducer.publish_many
  BENCH aiokafka_consume msgs_per_s=<n>       raw aiokafka fetch of the whole topic
  BENCH helper_consume msgs_per_s=<n>         aiokafka fetch + EventConsumer.process_batch
                                              (contract validation, de-duplication in
                                              MongoDB, a handler, marking processed)
  BENCH helper_consume_worker msgs_per_s=<n>  the real matcher worker process (faust agent
                                              + EventConsumer + people projection writes)
  BENCH backbone_ratio consume_ratio=<helper_consume/aiokafka_consume>

Usage: python bench/backbone.py [--messages 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root, not bench/, first on the path: bench/platform.py would shadow the
# standard library's ``platform`` module.
sys.path[0] = str(ROOT)

from aiokafka import AIOKafkaConsumer, TopicPartition  # noqa: E402
from kafka import KafkaProducer  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from bench.lib.sigterm import sigterm_unwinds  # noqa: E402
from shared.contracts.envelope import Envelope  # noqa: E402
from shared.contracts.hr import PersonUpserted  # noqa: E402
from shared.kafka.admin import provision_topics  # noqa: E402
from shared.kafka.consumer import EventConsumer, RawMessage  # noqa: E402
from shared.kafka.dedupe import ProcessedEvents  # noqa: E402
from shared.kafka.producer import EventProducer, OutgoingMessage  # noqa: E402
from tools.localstack import LocalStack, stop_process  # noqa: E402

TOPIC = "hr.people.v1"


def envelopes(count: int, tag: str) -> list[OutgoingMessage]:
    return [
        OutgoingMessage.for_event(
            TOPIC,
            Envelope.wrap(
                PersonUpserted(
                    person_id=f"{tag}-{i}",
                    display_name=f"Person {i}",
                    email=f"p{i}@example.com",
                    level=i % 10,
                    department=f"dept-{i % 20}",
                    time_zone="Europe/Berlin",
                ),
                source="/bench",
                subject=f"{tag}-{i}",
            ),
        )
        for i in range(count)
    ]


def bench_raw_produce(bootstrap: str, messages: list[OutgoingMessage]) -> float:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    started = time.perf_counter()
    for m in messages:
        producer.send(m.topic, key=m.key.encode(), value=m.value, headers=m.headers)
    producer.flush()
    elapsed = time.perf_counter() - started
    producer.close()
    return len(messages) / elapsed


async def bench_helper_produce(bootstrap: str, messages: list[OutgoingMessage]) -> float:
    producer = EventProducer(bootstrap, service="bench")
    started = time.perf_counter()
    for i in range(0, len(messages), 1000):
        await producer.publish_many(messages[i : i + 1000])
    elapsed = time.perf_counter() - started
    producer.close()
    return len(messages) / elapsed


async def fetch_all(bootstrap: str, on_batch) -> int:  # type: ignore[no-untyped-def]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, max_poll_records=500
    )
    await consumer.start()
    try:
        tps = [TopicPartition(TOPIC, p) for p in sorted(consumer.partitions_for_topic(TOPIC) or [])]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        total = sum(ends.values())
        seen = 0
        while seen < total:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for records in batch.values():
                seen += len(records)
                await on_batch(records)
        return seen
    finally:
        await consumer.stop()


async def bench_raw_consume(bootstrap: str) -> tuple[float, int]:
    async def nothing(_records: list[object]) -> None:
        return None

    started = time.perf_counter()
    seen = await fetch_all(bootstrap, nothing)
    return seen / (time.perf_counter() - started), seen


async def bench_helper_consume(bootstrap: str, mongo_url: str) -> float:
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url, tz_aware=True)
    producer = EventProducer(bootstrap, service="bench")
    applied = 0

    async def handler(events) -> None:  # type: ignore[no-untyped-def]
        nonlocal applied
        applied += len(events)

    consumer = EventConsumer(
        service="bench",
        group="bench-helper",
        producer=producer,
        processed=ProcessedEvents(mongo["bench"], "bench-helper"),
        handler=handler,
    )

    async def process(records: list[object]) -> None:
        await consumer.process_batch(
            [
                RawMessage(r.topic, r.partition, r.offset, r.key, r.value, r.headers)  # type: ignore[attr-defined]
                for r in records
            ]
        )

    started = time.perf_counter()
    seen = await fetch_all(bootstrap, process)
    elapsed = time.perf_counter() - started
    producer.close()
    await mongo.close()
    assert applied == seen, f"applied {applied} of {seen}"
    return seen / elapsed


async def bench_worker_consume(stack: LocalStack, total: int, workdir: Path) -> float:
    env = {
        **os.environ,
        "MATCHER_KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "MATCHER_MONGO_URL": stack.mongo_url,
        "MATCHER_MONGO_DATABASE": "bench_worker",
        "MATCHER_LOG_LEVEL": "WARNING",
    }
    log = open(workdir / "worker.log", "wb")  # noqa: ASYNC230
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before timing
        [sys.executable, "-m", "services.matcher", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url)
    processed = mongo["bench_worker"]["processed_events"]
    try:
        # The clock starts at the first applied event, so group join time is excluded.
        while await processed.estimated_document_count() == 0:
            await asyncio.sleep(0.05)
        started = time.perf_counter()
        first = await processed.estimated_document_count()
        while (done := await processed.estimated_document_count()) < total:
            if proc.poll() is not None:
                raise RuntimeError((workdir / "worker.log").read_text()[-2000:])
            await asyncio.sleep(0.2)
        return (done - first) / (time.perf_counter() - started)
    finally:
        stop_process(proc)
        await mongo.close()


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, LocalStack(Path(tmp)) as stack:
        provision_topics(stack.bootstrap_servers)
        raw_produce = bench_raw_produce(stack.bootstrap_servers, envelopes(count, "raw"))
        print(f"BENCH kafka_python_produce msgs_per_s={raw_produce:.0f}", flush=True)
        helper_produce = await bench_helper_produce(
            stack.bootstrap_servers, envelopes(count, "helper")
        )
        print(f"BENCH helper_produce msgs_per_s={helper_produce:.0f}", flush=True)
        raw_consume, total = await bench_raw_consume(stack.bootstrap_servers)
        print(f"BENCH aiokafka_consume msgs_per_s={raw_consume:.0f} messages={total}", flush=True)
        helper_consume = await bench_helper_consume(stack.bootstrap_servers, stack.mongo_url)
        print(f"BENCH helper_consume msgs_per_s={helper_consume:.0f} messages={total}", flush=True)
        worker = await bench_worker_consume(stack, total, Path(tmp))
        print(f"BENCH helper_consume_worker msgs_per_s={worker:.0f} messages={total}", flush=True)
        print(
            f"BENCH backbone_ratio consume_ratio={helper_consume / raw_consume:.3f} "
            f"produce_ratio={helper_produce / raw_produce:.3f} "
            f"worker_ratio={worker / raw_consume:.3f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    with sigterm_unwinds():
        asyncio.run(main(parser.parse_args().messages))
