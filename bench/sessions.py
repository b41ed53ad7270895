"""Sessions service throughput and latency on its own local broker and database.

Prints:
  BENCH sessions_ingest events_per_s=<n>   match lifecycle events (activated, flagged,
                                           ended) published to mentoring.matches.v1 and
                                           applied by the real sessions worker process
                                           (faust agent + EventConsumer + relationship
                                           writes with their outbox events), measured
                                           from the first publish to the last event stored
  BENCH sessions_ingest_in_process events_per_s=<n>
                                           the same events and code without the faust
                                           agent (aiokafka fetch + EventConsumer + handler),
                                           to tell the service's cost from the agent's
  BENCH sessions_ingest_ratio value=<worker/in-process>
  BENCH sessions_api p50_ms=<> p99_ms=<> rps=<>
                                           GET /meetings (a member's meetings, page of 20)
                                           on the real API process, open-loop load at a
                                           fixed offered rate (raw asyncio HTTP/1.1
                                           client; latency from the scheduled send time)

Usage: python bench/sessions.py [--events 20000] [--rate 250] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not this folder: bench/platform.py would shadow the standard library's ``platform``.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from bench.lib.load import open_loop_load  # noqa: E402
from bench.lib.sessions_data import match_events, seed_meetings  # noqa: E402
from bench.lib.sigterm import sigterm_unwinds  # noqa: E402
from services.sessions.bootstrap import SERVICE  # noqa: E402
from services.sessions.store import INDEXES, SessionsStore  # noqa: E402
from shared.contracts.registry import MATCHES  # noqa: E402
from shared.kafka.admin import provision_topics  # noqa: E402
from shared.kafka.consumer import EventConsumer, RawMessage  # noqa: E402
from shared.kafka.dedupe import PROCESSED_EVENTS_INDEXES, ProcessedEvents  # noqa: E402
from shared.kafka.producer import EventProducer, OutgoingMessage  # noqa: E402
from shared.mongo import ensure_indexes  # noqa: E402
from shared.service import batch_handler  # noqa: E402
from shared.unit_of_work import UnitOfWork  # noqa: E402
from tools.dev_issuer import ensure_keys, issue_token  # noqa: E402
from tools.localstack import LocalStack, free_port, stop_process  # noqa: E402


def start(role: str, stack: LocalStack, database: str, workdir: Path, **extra: str) -> tuple:
    port = free_port()
    env = {
        **os.environ,
        "SESSIONS_KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "SESSIONS_MONGO_URL": stack.mongo_url,
        "SESSIONS_MONGO_DATABASE": database,
        "SESSIONS_LOG_LEVEL": "WARNING",
        "SESSIONS_HTTP_PORT": str(port),
        "APP_DATADIR": str(workdir / f"{role}-faust-data"),  # not in the work tree
        "SESSIONS_AUTH_JWKS_URL": f"file://{workdir / 'issuer' / 'jwks.json'}",
        **{f"SESSIONS_{k.upper()}": v for k, v in extra.items()},
    }
    log_path = workdir / f"{role}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.sessions", role],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, port, log_path


async def publish(producer: AIOKafkaProducer, messages: list[OutgoingMessage]) -> None:
    """Publish and wait for every acknowledgement. The load generator uses aiokafka (C
    record encoding): kafka-python's pure-Python CRC would take CPU from the worker."""
    sent = [
        await producer.send(m.topic, m.value, key=m.key.encode(), headers=m.headers)
        for m in messages
    ]
    await asyncio.gather(*sent)


async def bench_ingest(stack: LocalStack, count: int, workdir: Path) -> float:
    database = "bench_sessions_ingest"
    proc, _, log_path = start("worker", stack, database, workdir, kafka_consumer_group="bench")
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url)
    db = mongo[database]

    async def stored() -> int:
        # the ``count`` command without a filter: cheap, unlike count_documents' scan,
        # which would steal the database from the worker being measured
        return int((await db.command("count", "processed_events"))["n"])

    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    try:
        # Warm up: the worker has joined its group and applied one event.
        await publish(producer, match_events(1, "warmup"))
        while await stored() < 1:
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text()[-2000:])
            await asyncio.sleep(0.1)
        messages = match_events(count, "bench")
        started = time.perf_counter()
        await publish(producer, messages)
        published = time.perf_counter() - started
        while (done := await stored()) < count + 1:
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text()[-2000:])
            await asyncio.sleep(0.25)
        elapsed = time.perf_counter() - started
        rels = int((await db.command("count", "relationships"))["n"])
        print(
            f"# ingest: {done - 1} events in {elapsed:.1f}s (publish {published:.1f}s), "
            f"{rels} relationships",
            flush=True,
        )
        return count / elapsed
    finally:
        await producer.stop()
        stop_process(proc)
        await mongo.close()


async def bench_ingest_in_process(stack: LocalStack) -> tuple[float, int]:
    """The same consumer path without faust: aiokafka fetch of everything on the topic
    -> EventConsumer.process_batch (validation, de-duplication, marking) -> the
    sessions handler (relationship writes with their outbox events), batches of 2000."""
    database = "bench_sessions_inprocess"
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    await ensure_indexes(mongo[database], INDEXES)
    await ensure_indexes(mongo[database], PROCESSED_EVENTS_INDEXES)
    store = SessionsStore(mongo[database])
    producer = EventProducer(stack.bootstrap_servers, service="bench")

    handle = batch_handler(SERVICE.handlers[MATCHES])

    async def handler(events) -> None:  # type: ignore[no-untyped-def]
        async with UnitOfWork(store=store, settings=None, source="/bench") as uow:
            await handle(uow, events)

    consumer = EventConsumer(
        service="bench",
        group="bench-inprocess",
        producer=producer,
        processed=ProcessedEvents(mongo[database], "bench-inprocess"),
        handler=handler,
    )
    kafka = AIOKafkaConsumer(
        bootstrap_servers=stack.bootstrap_servers, enable_auto_commit=False, max_poll_records=2000
    )
    await kafka.start()
    try:
        tps = [TopicPartition(MATCHES.name, p) for p in kafka.partitions_for_topic(MATCHES.name)]
        kafka.assign(tps)
        await kafka.seek_to_beginning(*tps)
        total = sum((await kafka.end_offsets(tps)).values())
        seen = 0
        started = time.perf_counter()
        while seen < total:
            batch = await kafka.getmany(timeout_ms=500, max_records=2000)
            records = [r for recs in batch.values() for r in recs]
            seen += len(records)
            if records:
                await consumer.process_batch(
                    [
                        RawMessage(r.topic, r.partition, r.offset, r.key, r.value, r.headers)
                        for r in records
                    ]
                )
        elapsed = time.perf_counter() - started
    finally:
        await kafka.stop()
        producer.close()
        await mongo.close()
    return seen / elapsed, seen


async def bench_api(
    stack: LocalStack, workdir: Path, rate: float, seconds: float
) -> tuple[float, float, float, int]:
    database = "bench_sessions_api"
    people = await seed_meetings(stack.mongo_url, database, pairs=1000, per_pair=10)
    ensure_keys(workdir / "issuer")
    # one bearer token per person, made before the clock starts (as a portal would cache)
    tokens = {
        p: {"Authorization": f"Bearer {issue_token(p, ['employee'], directory=workdir / 'issuer')}"}
        for p in people
    }
    proc, port, log_path = start("api", stack, database, workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(
            base_url=base, limits=httpx.Limits(max_connections=40), timeout=10
        ) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log_path.read_text()[-2000:])
                await asyncio.sleep(0.2)
            for person in people[:50]:  # warm up connections and caches
                await client.get("/meetings", headers=tokens[person])

            headers = {
                p: f"Authorization: {h['Authorization']}\r\n".encode() for p, h in tokens.items()
            }

            def a_members_meetings() -> tuple[str, bytes]:
                return "/meetings?limit=20", headers[random.choice(people)]

            def ten_meetings(status: int, body: bytes) -> bool:
                return status == 200 and json.loads(body)["total"] == 10

            ok, errors, latencies, elapsed = await open_loop_load(
                port, a_members_meetings, ten_meetings, rate=rate, seconds=seconds
            )
    finally:
        stop_process(proc)
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return p50, p99, ok / elapsed, errors


async def main(count: int, rate: float, seconds: float, only: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stack = LocalStack(Path(tmp))
        stack.start()
        try:
            provision_topics(stack.bootstrap_servers)
            if only in (None, "ingest"):
                ingest = await bench_ingest(stack, count, Path(tmp))
                print(f"BENCH sessions_ingest events_per_s={ingest:.0f}", flush=True)
                inprocess, seen = await bench_ingest_in_process(stack)
                print(
                    f"BENCH sessions_ingest_in_process events_per_s={inprocess:.0f} events={seen}",
                    flush=True,
                )
                # The worker process against the same code in-process, same run: the share
                # of the machine's noise both feel cancels out.
                print(f"BENCH sessions_ingest_ratio value={ingest / inprocess:.2f}", flush=True)
            if only == "ingest":
                return
            p50, p99, rps, errors = await bench_api(stack, Path(tmp), rate, seconds)
            print(
                f"BENCH sessions_api p50_ms={p50:.1f} p99_ms={p99:.1f} rps={rps:.0f} "
                f"offered_rps={rate:.0f} errors={errors}",
                flush=True,
            )
        finally:
            stack.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=250.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--only", choices=["ingest", "api"], default=None)
    args = parser.parse_args()
    with sigterm_unwinds():
        asyncio.run(main(args.events, args.rate, args.seconds, args.only))
