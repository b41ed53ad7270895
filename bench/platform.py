"""End-to-end load on the whole platform, next to the raw broker in the same run.

A synthetic organisation runs one program cycle (``tools.cycle``: import, match,
activate, schedule, remind, feedback) through the real services as separate processes
(matcher, sessions and notifications workers; matcher and sessions APIs with real
token checks) on a local broker and database of their own, with a local SMTP server.

Prints:
  BENCH platform events_per_s=<n> p50_ms=<> p99_ms=<> events=<n> applied=<n> busy_s=<s>
      events: every event the cycle put on the platform's topics; applied: every
      (consumer, event) application; events_per_s = events / busy time (the cycle's
      wall time minus its waits for the meetings' clock instants); p50/p99: from an
      event's time (its service committed it) to a consumer's commit of its effect
      (the consumer's processed-events mark, written after the effect), over every
      application
  BENCH platform_phases <phase>_s=<s> ...        busy time of each phase
  BENCH platform_latency consumer=<service> event=<type> n=<n> p50_ms=<> p99_ms=<>
      the same latency, by consumer and event type
  BENCH platform_reminders sent=<n> lag_p50_ms=<> lag_p99_ms=<>
      meeting reminders in the inbox, from their due time to their delivery
  BENCH broker_raw events_per_s=<n> p50_ms=<> p99_ms=<>
      the same event bytes produced by kafka-python and consumed by aiokafka on a fresh
      topic of the same broker, first send to last receipt
  BENCH platform_ratio value=<platform events_per_s / broker_raw events_per_s>

Usage: python bench/platform.py [--people 400] [--lead-s 90]
"""

# ruff: noqa: E402  (the import path is fixed before the imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

# This script shares its name with the standard library's ``platform`` module, which
# aiokafka imports: keep ``bench/`` off the import path, put the project root there.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import asyncio
import os
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient

from bench.lib.stats import percentile
from shared.kafka.admin import provision_topics
from shared.kafka.dedupe import COLLECTION as PROCESSED_EVENTS
from tests.integration.notifications.receivers import SmtpSink
from tests.support.processes import assigned_becomes, running
from tools.cycle import CycleResult, Endpoints, ProgramCycle
from tools.dev_issuer import ensure_keys
from tools.localstack import LocalStack, free_port
from tools.settle import (
    CONSUMED,
    PUBLISHED,
    partitions_consumed,
    topic_envelopes,
    wait_until_applied,
)

RAW_TOPIC = "bench.platform.raw"


async def run_cycle(
    stack: LocalStack, workdir: Path, people: int, lead: timedelta
) -> tuple[CycleResult, dict[tuple[str, str], list[float]], int, list[float]]:
    """The cycle on the real services; returns it, the event latencies (ms) by consumer
    and event type, the count of events published and the reminders' delivery lags (ms)."""
    issuer = workdir / "issuer"
    ensure_keys(issuer)
    for service in CONSUMED:
        os.environ[f"{service.upper()}_AUTH_JWKS_URL"] = f"file://{issuer / 'jwks.json'}"
    names = {s: f"platform_{s}" for s in CONSUMED}
    groups = {s: f"{s}-platform" for s in CONSUMED}
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    dbs = {s: mongo[n] for s, n in names.items()}
    try:
        with SmtpSink() as smtp, ExitStack() as processes:
            ports = await _start_services(stack, processes, workdir, names, groups, smtp.port)
            cycle = ProgramCycle(
                Endpoints(
                    matcher=f"http://127.0.0.1:{ports['matcher']}",
                    sessions=f"http://127.0.0.1:{ports['sessions']}",
                ),
                issuer_dir=issuer,
                reminders_delivered=lambda: dbs["notifications"].inbox.count_documents(
                    {"type": "meeting_reminder"}
                ),
                people=people,
                meeting_lead=lead,
                effect_timeout_s=300,
                on_progress=lambda line: print(f"  {line}", file=sys.stderr, flush=True),
            )
            result = await cycle.run()
            await wait_until_applied(stack.bootstrap_servers, dbs, groups, timeout_s=300)

        envelopes = await topic_envelopes(stack.bootstrap_servers, PUBLISHED)
        published = {e.id: (e.type, e.time) for events in envelopes.values() for e in events}
        latencies = await _latencies(dbs, groups, published)
        due = result.meetings_start_at - timedelta(minutes=1)  # type: ignore[operator]
        lags = [
            (doc["created_at"] - due).total_seconds() * 1000
            async for doc in dbs["notifications"].inbox.find({"type": "meeting_reminder"})
        ]
        return result, latencies, len(published), lags
    finally:
        await mongo.close()


async def _start_services(
    stack: LocalStack,
    processes: ExitStack,
    workdir: Path,
    names: dict[str, str],
    groups: dict[str, str],
    smtp_port: int,
) -> dict[str, int]:
    """Every worker (its own group, a metrics port) and the two APIs the cycle calls;
    returns the APIs' ports once each worker holds all its partitions."""
    quiet = {"log_level": "WARNING"}
    metrics_ports = {s: free_port() for s in CONSUMED}
    for service in CONSUMED:
        extra = {
            **quiet,
            "kafka_consumer_group": groups[service],
            "worker_metrics_port": str(metrics_ports[service]),
        }
        if service == "notifications":
            extra |= {
                "reminder_offsets_minutes": "[1]",
                "dispatch_interval_s": "0.5",
                "smtp_port": str(smtp_port),
            }
        processes.enter_context(
            running(stack, service, "worker", database=names[service], log_dir=workdir, **extra)
        )
        if service == "notifications":  # delivers what the worker plans
            dispatcher = extra | {"worker_metrics_port": "0"}
            processes.enter_context(
                running(
                    stack,
                    service,
                    "dispatcher",
                    database=names[service],
                    log_dir=workdir,
                    **dispatcher,
                )
            )
    ports = {
        s: processes.enter_context(
            running(stack, s, "api", database=names[s], log_dir=workdir, **quiet)
        )["port"]
        for s in ("matcher", "sessions")
    }
    for service, port in metrics_ports.items():  # steady state, not group joins
        if not await assigned_becomes(port, partitions_consumed(service), 120):
            raise RuntimeError(f"the {service} worker was not assigned its partitions")
    return ports


async def _latencies(
    dbs: dict[str, Any], groups: dict[str, str], published: dict[str, tuple[str, datetime]]
) -> dict[tuple[str, str], list[float]]:
    """Publish-to-effect (ms) by consumer and event type, from each group's processed marks."""
    latencies: dict[tuple[str, str], list[float]] = {}
    for service, db in dbs.items():
        prefix = f"{groups[service]}:"
        async for row in db[PROCESSED_EVENTS].find({"_id": {"$regex": f"^{prefix}"}}):
            if (found := published.get(row["_id"][len(prefix) :])) is not None:
                type_, sent = found
                latency = (row["processed_at"] - sent).total_seconds() * 1000
                latencies.setdefault((service, type_), []).append(latency)
    return latencies


async def broker_raw(bootstrap: str, payloads: list[bytes]) -> tuple[float, list[float]]:
    """kafka-python produces the payloads while aiokafka consumes them."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(RAW_TOPIC, num_partitions=6, replication_factor=1)])
    admin.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = None
        while not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(RAW_TOPIC)
        consumer.assign([TopicPartition(RAW_TOPIC, p) for p in partitions])
        await consumer.seek_to_beginning()

        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        producer.partitions_for(RAW_TOPIC)  # connected, metadata known: not timed
        started = time.time()

        def produce() -> None:
            for i, payload in enumerate(payloads):
                producer.send(RAW_TOPIC, key=str(i).encode(), value=payload)
            producer.flush()

        thread = threading.Thread(target=produce)
        thread.start()
        latencies: list[float] = []
        while len(latencies) < len(payloads):
            batch = await consumer.getmany(timeout_ms=500)
            now_ms = time.time() * 1000
            latencies.extend(now_ms - r.timestamp for rs in batch.values() for r in rs)
        elapsed = time.time() - started
        thread.join()
        producer.close()
        return len(payloads) / elapsed, latencies
    finally:
        await consumer.stop()


async def main(people: int, lead_s: float) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-platform-") as tmp:
        workdir = Path(tmp)
        stack = LocalStack(workdir / "stack").start()
        try:
            provision_topics(stack.bootstrap_servers)
            result, by_consumer, events, lags = await run_cycle(
                stack, workdir, people, timedelta(seconds=lead_s)
            )
            envelopes = await topic_envelopes(stack.bootstrap_servers, PUBLISHED)
            for topic, topic_events in envelopes.items():
                repeated = len(topic_events) - len({e.id for e in topic_events})
                print(f"BENCH duplicates topic={topic} count={repeated}", flush=True)
            payloads = [e.to_bytes() for events_ in envelopes.values() for e in events_]
            raw_rate, raw_latencies = await broker_raw(stack.bootstrap_servers, payloads)
        finally:
            stack.stop()
    rate = events / result.busy_seconds
    latencies = [ms for values in by_consumer.values() for ms in values]
    applied = len(latencies)
    print(
        f"BENCH platform events_per_s={rate:.0f} p50_ms={percentile(latencies, 50):.1f} "
        f"p99_ms={percentile(latencies, 99):.1f} events={events} applied={applied} "
        f"busy_s={result.busy_seconds:.1f} people={people} matches={result.matches} "
        f"unmatched={sum(result.unmatched_reasons.values())} "
        f"requests={result.requests}",
        flush=True,
    )
    print(
        "BENCH platform_phases "
        + " ".join(f"{p.name}_s={p.seconds - p.waited_for_clock_s:.1f}" for p in result.phases),
        flush=True,
    )
    for (service, type_), values in sorted(by_consumer.items()):
        print(
            f"BENCH platform_latency consumer={service} event={type_} n={len(values)} "
            f"p50_ms={percentile(values, 50):.1f} p99_ms={percentile(values, 99):.1f}",
            flush=True,
        )
    print(
        f"BENCH platform_reminders sent={len(lags)} lag_p50_ms={percentile(lags, 50):.0f} "
        f"lag_p99_ms={percentile(lags, 99):.0f}",
        flush=True,
    )
    print(
        f"BENCH broker_raw events_per_s={raw_rate:.0f} p50_ms={percentile(raw_latencies, 50):.1f} "
        f"p99_ms={percentile(raw_latencies, 99):.1f} events={len(raw_latencies)}",
        flush=True,
    )
    print(f"BENCH platform_ratio value={rate / raw_rate:.4f}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=400, help="an even number")
    parser.add_argument(
        "--lead-s", type=float, default=90, help="meetings start this long after scheduling"
    )
    args = parser.parse_args()
    asyncio.run(main(args.people, args.lead_s))
