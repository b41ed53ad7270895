"""Publish-to-effect latency of each consumer at fixed offered rates, next to the floor.

The real workers run as separate processes on a local broker and database of their own
(matcher on ``hr.people.v1``, sessions on ``mentoring.matches.v1``, notifications on
``sessions.v1``, whose planning is the effect). Events go out open-loop at a fixed rate;
each carries its scheduled send time as its event time, so a slow consumer cannot slow
the offered load, and latency runs from that time to the consumer's processed-events mark
(written after the effect). The floor, in the same run on the same events: a bare aiokafka
consumer that validates each envelope, reads the de-duplication marks, upserts one
document per event and writes the marks (the same database writes, without the platform).

Prints, per consumer and rate:
  BENCH latency consumer=<c> rate=<ev/s> p50_ms=<x> p99_ms=<y> floor_p99_ms=<z> db_busy=<f>
``db_busy`` is the local database server's CPU seconds per second of the phase: it is one
single-threaded process that every worker (and the floor) writes to, so near 1.0 the
database, not the consumers, sets the latency.

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
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer
from pymongo import AsyncMongoClient

from bench.lib.consumer_events import TOPIC_OF, payload, seed_events
from bench.lib.cpu import process_cpu_s
from bench.lib.marks import processed_at
from bench.lib.open_loop import FloorConsumer, PacedSender, Scheduled
from bench.lib.stats import percentile
from shared.contracts.envelope import Envelope
from shared.kafka.admin import provision_topics
from shared.kafka.dedupe import COLLECTION as PROCESSED_EVENTS
from tests.integration.notifications.receivers import SmtpSink
from tests.support.processes import assigned_becomes, running
from tools.localstack import LocalStack, free_port
from tools.settle import CONSUMED, partitions_consumed

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


async def latencies(
    db: Any, group: str, sent: dict[str, float], until_marks: int, deadline: float
) -> list[float]:
    """Milliseconds from each event's time to ``group``'s mark, once ``db`` holds
    ``until_marks`` marks (a cheap count, not to load the database measured) or the
    deadline passed: the missing ones are left out and reported."""
    while await db[PROCESSED_EVENTS].estimated_document_count() < until_marks:
        if time.time() > deadline:
            break
        await asyncio.sleep(0.5)
    applied = await processed_at(db, group, sent)
    return [(at.timestamp() - sent[event_id]) * 1000 for event_id, at in applied.items()]


async def marks(db: Any) -> int:
    return int(await db[PROCESSED_EVENTS].estimated_document_count())


async def phase(
    bootstrap: str,
    sender: PacedSender,
    dbs: dict[str, Any],
    consumer: str,
    rate: int,
    seconds: float,
    db_pid: int,
) -> str:
    """One consumer at one rate, its floor beside it; the BENCH line."""
    topic = TOPIC_OF[consumer]
    floor = FloorConsumer(bootstrap, topic, dbs["bench"], FLOOR_GROUP)
    await floor.start()
    floor_task = asyncio.create_task(floor.run())
    events = schedule(consumer, f"{consumer}-{rate}", rate, seconds)
    sent = {event_id: at for at, event_id, _, _ in events}
    before = {name: await marks(dbs[name]) for name in (consumer, "bench")}
    db_cpu, started = process_cpu_s(db_pid), time.time()
    await sender.send(topic, events)
    deadline = time.time() + DRAIN_S
    group = GROUP.format(consumer)
    measured = await latencies(dbs[consumer], group, sent, before[consumer] + len(sent), deadline)
    floor_ms = await latencies(
        dbs["bench"], FLOOR_GROUP, sent, before["bench"] + len(sent), deadline
    )
    db_busy = (process_cpu_s(db_pid) - db_cpu) / (time.time() - started)
    floor.stop.set()
    await floor_task
    missing = len(sent) - len(measured)
    return (
        f"BENCH latency consumer={consumer} rate={rate} p50_ms={percentile(measured, 50):.1f} "
        f"p99_ms={percentile(measured, 99):.1f} floor_p99_ms={percentile(floor_ms, 99):.1f}"
        f" db_busy={db_busy:.2f}" + (f" missing={missing}" if missing else "")
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


async def seed(bootstrap: str, dbs: dict[str, Any], consumers: list[str]) -> None:
    """The program and the population, applied by every worker before any phase: the
    notifier plans for known people, sessions for an open program."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    seeded = seed_events()
    for topic, subject, data in seeded:
        envelope = Envelope.wrap(data, source=SOURCE, subject=subject)
        producer.send(topic, key=subject.encode(), value=envelope.to_bytes())
    producer.flush()
    producer.close()
    for consumer in consumers:
        expected = sum(1 for topic, _, _ in seeded if topic in CONSUMED[consumer])
        await latencies(dbs[consumer], GROUP.format(consumer), {}, expected, time.time() + 120)


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
        dbs = {c: mongo[f"latency_{c}"] for c in TOPIC_OF} | {"bench": mongo["latency_bench"]}
        db_pid = stack.processes[1].pid  # the broker, then the database (``LocalStack``)
        try:
            await seed(stack.bootstrap_servers, dbs, list(TOPIC_OF))
            for consumer in consumers:
                for rate in rates:
                    print(
                        await phase(
                            stack.bootstrap_servers, sender, dbs, consumer, rate, seconds, db_pid
                        ),
                        flush=True,
                    )
        finally:
            await mongo.close()


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
    asyncio.run(main(chosen, rate_list, 2.0 if args.quick else args.seconds))
