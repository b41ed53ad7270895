"""Publish-to-effect latency of each consumer at fixed offered rates, next to the floor.

The real workers run as separate processes on a local broker and database of their own
(matcher on ``hr.people.v1``, sessions on ``mentoring.matches.v1``, notifications on
``sessions.v1``, whose planning is the effect). Events go out open-loop at a fixed rate;
each carries its scheduled send time as its event time, so a slow consumer cannot slow
the offered load. A worker's latency is its own histogram
``mentoring_event_effect_seconds{service,topic}`` (from the event's time to the end of
its batch's apply, effects stored; replay-safe events, which leave no processed-events
mark, included), scraped from its ``/metrics`` before and after the phase; the phase's
p50/p99 are interpolated linearly inside the bucket they fall in
(``bench.lib.stats.bucket_percentile``), so they are exact only to that bucket's width
(25-50 ms up to 0.3 s, 100-250 ms up to 1 s, 0.5-1 s up to 3 s). A phase waits for its
events by polling the worker's processed counter, not the database it measures.

The floor, in the same run on the same events: a bare aiokafka consumer that validates
each envelope, reads the de-duplication marks, upserts one document per event and writes
the marks (the same database writes, without the platform). Its latencies are exact (to
its own marks), but they are counted into the worker histogram's buckets and read back
the same way before its p99 is taken, so both figures have the same resolution.

Prints, per consumer and rate:
  BENCH latency consumer=<c> rate=<ev/s> p50_ms=<x> p99_ms=<y> floor_p99_ms=<z>
      floor_p50_ms=<z50> db_busy=<f>
``db_busy`` is the local database server's CPU seconds per second of the phase: it is one
single-threaded process that every worker (and the floor) writes to, so near 1.0 the
database, not the consumers, sets the latency. ``missing=<n>``: events the worker had not
applied (by its processed counter) ``DRAIN_S`` after the last was sent; the next phase
waits up to as long again for them before it starts.

Usage: python bench/latency.py [--quick] [--seconds 5] [--rates 100,500,1000]
                               [--consumers notifications,matcher,sessions]
"""

# ruff: noqa: E402  (the import path is fixed before the imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # the project root, not bench/ (bench/platform.py shadows a module)

import argparse
import asyncio
import importlib
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer
from pymongo import AsyncMongoClient

from bench.lib.consumer_events import TOPIC_OF, payload, seed_events
from bench.lib.cpu import process_cpu_s
from bench.lib.marks import processed_at
from bench.lib.open_loop import FloorConsumer, PacedSender, Scheduled
from bench.lib.sigterm import sigterm_unwinds
from bench.lib.stats import bucket_percentile, bucketed
from bench.lib.worker_metrics import WorkerMetrics
from shared.contracts.envelope import Envelope
from shared.kafka.admin import provision_topics
from shared.kafka.dedupe import COLLECTION as PROCESSED_EVENTS
from tests.integration.notifications.receivers import SmtpSink
from tests.support.processes import assigned_becomes, running
from tools.localstack import LocalStack, free_port
from tools.settle import CONSUMED, applied_by, partitions_consumed

#: How long a phase waits, once its events are sent, for the effects still behind (what
#: is not there by then is reported as missing: the consumer could not keep the rate).
DRAIN_S = 20.0
SOURCE = "/bench/latency"
GROUP = "latency-{}"
FLOOR_GROUP = "floor"


def schedule(consumer: str, tag: str, rate: int, seconds: float) -> list[Scheduled]:
    """The phase's events, each stamped with its scheduled send time (open loop)."""
    start = time.time() + 1.0  # room to build and serialise them first
    out = []
    for i in range(int(rate * seconds)):
        at = start + i / rate
        subject, data = payload(consumer, tag, i)
        envelope = Envelope.wrap(
            data, source=SOURCE, subject=subject, time=datetime.fromtimestamp(at, UTC)
        )
        out.append((at, envelope.id, subject, envelope.to_bytes()))
    return out


async def floor_latencies(
    db: Any, sent: dict[str, float], until_marks: int, deadline: float
) -> list[float]:
    """Seconds from each event's time to the floor's mark, once ``db`` holds
    ``until_marks`` marks (a cheap count) or the deadline passed: the missing ones are
    left out."""
    while await marks(db) < until_marks:
        if time.time() > deadline:
            break
        await asyncio.sleep(0.5)
    applied = await processed_at(db, FLOOR_GROUP, sent)
    return [at.timestamp() - sent[event_id] for event_id, at in applied.items()]


async def marks(db: Any) -> int:
    return int(await db[PROCESSED_EVENTS].estimated_document_count())


async def phase(
    bootstrap: str,
    sender: PacedSender,
    floor_db: Any,
    worker: WorkerMetrics,
    consumer: str,
    rate: int,
    seconds: float,
    db_pid: int,
) -> tuple[str, float]:
    """One consumer at one rate, its floor beside it; the BENCH line, and the applied
    count the worker owes once it caught up (the next phase waits for it)."""
    topic = TOPIC_OF[consumer]
    floor = FloorConsumer(bootstrap, topic, floor_db, FLOOR_GROUP)
    await floor.start()
    floor_task = asyncio.create_task(floor.run())
    events = schedule(consumer, f"{consumer}-{rate}", rate, seconds)
    sent = {event_id: at for at, event_id, _, _ in events}
    before, floor_before = await worker.scrape(), await marks(floor_db)
    db_cpu, started = process_cpu_s(db_pid), time.time()
    await sender.send(topic, events)
    deadline = time.time() + DRAIN_S
    expected = {topic: before.applied(consumer, topic) + len(sent)}
    after = await worker.applied_reaches(consumer, expected, deadline)
    floor_s = await floor_latencies(floor_db, sent, floor_before + len(sent), deadline)
    db_busy = (process_cpu_s(db_pid) - db_cpu) / (time.time() - started)
    floor.stop.set()
    await floor_task
    measured = after.effect_since(before, consumer, topic)
    floor_histogram = bucketed(floor_s, after.bounds())
    missing = len(sent) - int(after.applied(consumer, topic) - before.applied(consumer, topic))
    return (
        f"BENCH latency consumer={consumer} rate={rate} "
        f"p50_ms={bucket_percentile(measured, 50) * 1000:.1f} "
        f"p99_ms={bucket_percentile(measured, 99) * 1000:.1f} "
        f"floor_p99_ms={bucket_percentile(floor_histogram, 99) * 1000:.1f} "
        f"floor_p50_ms={bucket_percentile(floor_histogram, 50) * 1000:.1f}"
        f" db_busy={db_busy:.2f}" + (f" missing={missing}" if missing > 0 else ""),
        expected[topic],
    )


def start_workers(
    stack: LocalStack, processes: ExitStack, workdir: Path, smtp_port: int
) -> dict[str, int]:
    """Every consumer's worker (and its companions), its own group and database; returns
    the workers' metrics ports."""
    ports = {}
    for consumer in TOPIC_OF:
        ports[consumer] = free_port()
        extra = {
            "log_level": "WARNING",
            "kafka_consumer_group": GROUP.format(consumer),
            "worker_metrics_port": str(ports[consumer]),
        }
        if consumer == "notifications":
            extra |= {"smtp_port": str(smtp_port), "dispatch_interval_s": "0.5"}
        # and its timer-only processes (the notifier's dispatcher delivers what it plans)
        for role in (
            "worker",
            *importlib.import_module(f"services.{consumer}.bootstrap").SERVICE.timer_roles,
        ):
            metrics = {"worker_metrics_port": str(free_port())} if role != "worker" else {}
            processes.enter_context(
                running(
                    stack,
                    consumer,
                    role,
                    database=f"latency_{consumer}",
                    log_dir=workdir,
                    **(extra | metrics),
                )
            )
    return ports


async def seed(bootstrap: str, workers: dict[str, WorkerMetrics]) -> None:
    """The program and the population, applied by every worker before any phase (the
    notifier plans for known people, sessions for an open program), by its counters."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    seeded = [
        (topic, Envelope.wrap(data, source=SOURCE, subject=subject))
        for topic, subject, data in seed_events()
    ]
    for topic, envelope in seeded:
        producer.send(topic, key=envelope.subject.encode(), value=envelope.to_bytes())
    producer.flush()
    producer.close()
    deadline = time.time() + 120
    for consumer, worker in workers.items():
        expected = Counter(
            topic
            for topic, envelope in seeded
            if topic in CONSUMED[consumer] and applied_by(consumer, topic, envelope)
        )
        if not (await worker.applied_reaches(consumer, expected, deadline)).has_applied(
            consumer, expected
        ):
            raise RuntimeError(f"the {consumer} worker did not apply the seed in time")


async def main(consumers: list[str], rates: list[int], seconds: float) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp, ExitStack() as stack_:
        workdir = Path(tmp)
        stack = stack_.enter_context(LocalStack(workdir / "stack"))
        provision_topics(stack.bootstrap_servers)
        smtp = stack_.enter_context(SmtpSink())
        sender = PacedSender(stack.bootstrap_servers)
        stack_.callback(sender.close)
        ports = start_workers(stack, stack_, workdir, smtp.port)
        for consumer, port in ports.items():  # steady state, not group joins
            if not await assigned_becomes(port, partitions_consumed(consumer), 120):
                raise RuntimeError(f"the {consumer} worker was not assigned its partitions")
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
        workers = {consumer: WorkerMetrics(port) for consumer, port in ports.items()}
        db_pid = stack.processes[1].pid  # the broker, then the database (``LocalStack``)
        bootstrap = stack.bootstrap_servers
        try:
            await seed(bootstrap, workers)
            for consumer in consumers:
                owed = 0.0
                for rate in rates:
                    # what a phase left missing lands before the next one is read, not in it
                    await workers[consumer].applied_reaches(
                        consumer, {TOPIC_OF[consumer]: owed}, time.time() + DRAIN_S
                    )
                    line, owed = await phase(
                        bootstrap,
                        sender,
                        mongo["latency_bench"],
                        workers[consumer],
                        consumer,
                        rate,
                        seconds,
                        db_pid,
                    )
                    print(line, flush=True)
        finally:
            await mongo.close()
            for worker in workers.values():
                await worker.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 s per phase instead of 5")
    parser.add_argument("--seconds", type=float, default=5.0, help="offered load per phase")
    parser.add_argument(
        "--rates", default="100,500,1000", help="events per second, comma-separated"
    )
    parser.add_argument("--consumers", default=",".join(TOPIC_OF), help="comma-separated")
    args = parser.parse_args()
    rate_list = [int(r) for r in args.rates.split(",")]
    chosen = [c for c in TOPIC_OF if c in args.consumers.split(",")]
    with sigterm_unwinds():
        asyncio.run(main(chosen, rate_list, 2.0 if args.quick else args.seconds))
