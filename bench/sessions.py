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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not this folder: bench/platform.py would shadow the standard library's ``platform``.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition  # noqa: E402
from pymongo import AsyncMongoClient, InsertOne  # noqa: E402

from services.sessions.bootstrap import SERVICE  # noqa: E402
from services.sessions.domain.meetings import schedule_meeting  # noqa: E402
from services.sessions.domain.relationships import (  # noqa: E402
    Member,
    MemberRole,
    RelationshipKind,
    start_relationship,
)
from services.sessions.mapping import stored as meeting_doc  # noqa: E402
from services.sessions.relationships import relationship_doc  # noqa: E402
from services.sessions.store import INDEXES, SessionsStore, agenda_row  # noqa: E402
from shared.contracts.envelope import Envelope  # noqa: E402
from shared.contracts.matching import (  # noqa: E402
    Explanation,
    MatchActivated,
    MatchEnded,
    MatchFlagged,
)
from shared.contracts.matching import Member as MatchMember  # noqa: E402
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

EXPLANATION = Explanation(total_score=0.7, contributions={"skills": 0.7}, constraints_satisfied=())


def match_events(count: int, tag: str) -> list[OutgoingMessage]:
    """~75% activations; every 4th match is also flagged and every 8th ended."""
    out: list[OutgoingMessage] = []
    i = 0
    while len(out) < count:
        match_id = f"{tag}-m{i}"
        program_id = f"{tag}-p{i % 10}"
        events: list[object] = [
            MatchActivated(
                match_id=match_id,
                program_id=program_id,
                kind="reverse_mentoring",
                members=(
                    MatchMember(person_id=f"{tag}-a{i}", role="mentor"),
                    MatchMember(person_id=f"{tag}-b{i}", role="mentee"),
                ),
                explanation=EXPLANATION,
                starts_on=date(2027, 1, 4),
            )
        ]
        if i % 4 == 0:
            events.append(
                MatchFlagged(match_id=match_id, program_id=program_id, reason_codes=("x",))
            )
        if i % 8 == 0:
            events.append(MatchEnded(match_id=match_id, program_id=program_id, reason_code="y"))
        for data in events:
            envelope = Envelope.wrap(data, source="/bench", subject=match_id)  # type: ignore[arg-type]
            out.append(OutgoingMessage.for_event(MATCHES.name, envelope))
        i += 1
    return out[:count]


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


async def seed_meetings(mongo_url: str, database: str, pairs: int, per_pair: int) -> list[str]:
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url, tz_aware=True)
    db = mongo[database]
    await ensure_indexes(db, INDEXES)
    now = datetime.now(UTC)
    rels, meetings, rows, people = [], [], [], []
    for i in range(pairs):
        members = [
            Member(f"api-a{i}", MemberRole.MENTOR, "Europe/Berlin"),
            Member(f"api-b{i}", MemberRole.MENTEE, "Asia/Kolkata"),
        ]
        rel = start_relationship(
            relationship_id=f"rel-api-{i}",
            program_id=f"prog-{i % 10}",
            match_id=f"api-{i}",
            kind=RelationshipKind.REVERSE_MENTORING,
            members=members,
            started_on=now.date(),
            planned_end_on=now.date() + timedelta(days=180),
            cadence_days=14,
            now=now,
        ).state
        rels.append(InsertOne({**relationship_doc(rel), "version": 1}))
        people += [m.person_id for m in members]
        for j in range(per_pair):
            meeting = schedule_meeting(
                meeting_id=f"meet-api-{i}-{j}",
                relationship=rel,
                organiser_id=members[j % 2].person_id,
                starts_at=now + timedelta(days=1 + 7 * j, hours=i % 8),
                duration_minutes=45,
                now=now,
            ).state
            doc = {**meeting_doc(meeting), "version": 1}
            meetings.append(InsertOne(doc))
            rows += [InsertOne(agenda_row(doc, p)) for p in doc["participant_ids"]]
    await db["relationships"].bulk_write(rels, ordered=False)
    for name, ops in (("meetings", meetings), ("agenda_rows", rows)):
        for k in range(0, len(ops), 2000):
            await db[name].bulk_write(ops[k : k + 2000], ordered=False)
    await mongo.close()
    return people


class _Connection:
    """One keep-alive HTTP/1.1 connection of the load client."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, token_header: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(
            b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + token_header + b"\r\n"
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def open_loop_load(
    port: int,
    people: list[str],
    tokens: dict[str, dict[str, str]],
    *,
    rate: float,
    seconds: float,
    connections: int = 32,
) -> tuple[int, int, list[float], float]:
    """Offer ``rate`` requests per second for ``seconds``, whatever the answers' pace.

    Each request has a scheduled send time; its latency counts from that time, so
    waiting for a free connection (the server being slow) is part of it. A raw asyncio
    HTTP/1.1 client over keep-alive connections: httpx costs several times the CPU per
    request, and this 2-core box shares it with the API being measured.
    Returns (answered correctly, errors, latencies in ms, seconds until the last answer)."""
    headers = {p: f"Authorization: {h['Authorization']}\r\n".encode() for p, h in tokens.items()}
    pool: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(_Connection(port))
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}

    async def one(person: str, scheduled: float) -> None:
        conn = await pool.get()
        try:
            status, body = await asyncio.wait_for(
                conn.get("/meetings?limit=20", headers[person]), timeout=10
            )
            good = status == 200 and json.loads(body)["total"] == 10
        except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
            conn.close()
            good = False
        finally:
            pool.put_nowait(conn)
        latencies.append((time.perf_counter() - scheduled) * 1000)
        counts["ok" if good else "errors"] += 1

    total = int(rate * seconds)
    interval = 1.0 / rate
    tasks = []
    started = time.perf_counter()
    for n in range(total):
        scheduled = started + n * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(random.choice(people), scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    while not pool.empty():
        pool.get_nowait().close()
    return counts["ok"], counts["errors"], latencies, elapsed


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

            ok, errors, latencies, elapsed = await open_loop_load(
                port, people, tokens, rate=rate, seconds=seconds
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
    asyncio.run(main(args.events, args.rate, args.seconds, args.only))
