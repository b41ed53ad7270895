"""End-to-end load on the whole platform, and each worker at saturation next to its handlers.

A synthetic organisation runs one program cycle (``tools.cycle``: import, match,
activate, schedule, remind, feedback) through the real services as separate processes
(matcher, sessions and notifications workers; matcher and sessions APIs with real
token checks) on a local broker and database of their own, with a local SMTP server.

Prints:
  BENCH platform events_per_s=<n> p50_ms=<> p99_ms=<> events=<n> applied=<n> busy_s=<s>
      events: every event the cycle put on the platform's topics; applied: every
      (consumer, event) application; events_per_s = events / busy time (the cycle's
      wall time minus its waits for the meetings' clock instants); p50/p99: from an
      event's time (its service committed it) to a consumer's stored effect, over every
      application: the workers' own histograms ``mentoring_event_effect_seconds``
      added up, read at the end of the cycle, each percentile interpolated inside its
      bucket (``bench.lib.stats.bucket_percentile``: exact to the bucket's width)
  BENCH platform_phases <phase>_s=<s> ...        busy time of each phase
  BENCH platform_latency consumer=<service> topic=<topic> n=<n> p50_ms=<> p99_ms=<>
      the same latency, by consumer and topic (one histogram each)
  Until replay-safe handlers (``shared.service.replay_safe``), the latency came from
  the processed-events marks, exact and by event type; replay-safe events (person
  upserts, sessions' enrollments and activated matches) leave none, so it is the
  histograms, by topic, and the platform is settled by the workers' committed offsets
  (``tools.settle.wait_until_applied``).
  BENCH platform_reminders sent=<n> lag_p50_ms=<> lag_p99_ms=<>
      meeting reminders in the inbox, from their due time to their delivery
  BENCH saturation consumer=<c> events_per_s=<n> in_process=<n> ratio=<r> events=<n>
        consume_path=<n> path_ratio=<r>
      each worker (matcher on hr.people.v1, sessions on mentoring.matches.v1, notifications
      on sessions.v1) started on its topic pre-filled with <events> events (ten of its
      batches: --saturation-batches), until it has applied them all; in_process: the same
      events through the same handlers in one process without Kafka; ratio = events_per_s
      / in_process; consume_path: the same in process through the consumer policy as the
      worker applies a batch (validation, de-duplication, marks), without faust, broker
      or relay (``bench.lib.saturation``); path_ratio = events_per_s / consume_path, what
      the worker process (faust, broker, relay) costs beyond the consumer's own work

Usage: python bench/platform.py [--people 400] [--lead-s 90] [--saturation-batches 10]
                                [--skip-cycle]
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
from contextlib import ExitStack
from datetime import timedelta

from pymongo import AsyncMongoClient

from bench.lib.consumer_events import TOPIC_OF
from bench.lib.saturation import saturation
from bench.lib.sigterm import sigterm_unwinds
from bench.lib.stats import Buckets, bucket_percentile, percentile
from bench.lib.worker_metrics import WorkerMetrics, merged
from shared.kafka.admin import provision_topics
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

#: Events applied by consumer and topic: their publish-to-effect histogram (seconds).
Effects = dict[tuple[str, str], Buckets]


async def run_cycle(
    stack: LocalStack, workdir: Path, people: int, lead: timedelta
) -> tuple[CycleResult, Effects, int, list[float]]:
    """The cycle on the real services; returns it, the event latencies by consumer and
    topic, the count of events published and the reminders' delivery lags (ms)."""
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
            ports, metrics_ports = await _start_services(
                stack, processes, workdir, names, groups, smtp.port
            )
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
            effects = await _effects(metrics_ports)

        envelopes = await topic_envelopes(stack.bootstrap_servers, PUBLISHED)
        published = {e.id for events in envelopes.values() for e in events}
        due = result.meetings_start_at - timedelta(minutes=1)  # type: ignore[operator]
        lags = [
            (doc["created_at"] - due).total_seconds() * 1000
            async for doc in dbs["notifications"].inbox.find({"type": "meeting_reminder"})
        ]
        return result, effects, len(published), lags
    finally:
        await mongo.close()


async def _start_services(
    stack: LocalStack,
    processes: ExitStack,
    workdir: Path,
    names: dict[str, str],
    groups: dict[str, str],
    smtp_port: int,
) -> tuple[dict[str, int], dict[str, int]]:
    """Every worker (its own group, a metrics port) and the two APIs the cycle calls;
    returns the APIs' ports and the workers' metrics ports once each worker holds all
    its partitions."""
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
    return ports, metrics_ports


async def _effects(metrics_ports: dict[str, int]) -> Effects:
    """Each worker's effect histograms by topic (the workers started with the cycle: their
    histograms hold the cycle's events only)."""
    workers = {service: WorkerMetrics(port) for service, port in metrics_ports.items()}
    try:
        effects: Effects = {}
        for service, worker in workers.items():
            reading = await worker.scrape()
            effects |= {s: b for s, b in reading.effect.items() if s[0] == service}
        return effects
    finally:
        for worker in workers.values():
            await worker.close()


async def cycle_lines(workdir: Path, people: int, lead_s: float) -> list[str]:
    """The program cycle on the whole platform, and its BENCH lines."""
    with LocalStack(workdir / "stack") as stack:
        provision_topics(stack.bootstrap_servers)
        result, effects, events, lags = await run_cycle(
            stack, workdir, people, timedelta(seconds=lead_s)
        )
        envelopes = await topic_envelopes(stack.bootstrap_servers, PUBLISHED)
    lines = [
        f"BENCH duplicates topic={topic} count={len(found) - len({e.id for e in found})}"
        for topic, found in envelopes.items()
    ]
    rate = events / result.busy_seconds
    every = merged(effects.values())
    lines.append(
        f"BENCH platform events_per_s={rate:.0f} p50_ms={_ms(every, 50)} "
        f"p99_ms={_ms(every, 99)} events={events} applied={_count(every)} "
        f"busy_s={result.busy_seconds:.1f} people={people} matches={result.matches} "
        f"unmatched={sum(result.unmatched_reasons.values())} "
        f"requests={result.requests}"
    )
    lines.append(
        "BENCH platform_phases "
        + " ".join(f"{p.name}_s={p.seconds - p.waited_for_clock_s:.1f}" for p in result.phases)
    )
    lines.extend(
        f"BENCH platform_latency consumer={service} topic={topic} n={_count(buckets)} "
        f"p50_ms={_ms(buckets, 50)} p99_ms={_ms(buckets, 99)}"
        for (service, topic), buckets in sorted(effects.items())
    )
    lines.append(
        f"BENCH platform_reminders sent={len(lags)} lag_p50_ms={percentile(lags, 50):.0f} "
        f"lag_p99_ms={percentile(lags, 99):.0f}"
    )
    return lines


def _ms(buckets: Buckets, q: int) -> str:
    return f"{bucket_percentile(buckets, q) * 1000:.1f}"


def _count(buckets: Buckets) -> int:
    return int(buckets[-1][1]) if buckets else 0


async def main(people: int, lead_s: float, saturation_batches: int, skip_cycle: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-platform-") as tmp:
        workdir = Path(tmp)
        if not skip_cycle:
            for line in await cycle_lines(workdir, people, lead_s):
                print(line, flush=True)
        for consumer in TOPIC_OF:
            measured = await saturation(workdir, consumer, saturation_batches, timeout_s=600)
            print(measured.line(), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=400, help="an even number")
    parser.add_argument(
        "--lead-s",
        type=float,
        default=90,
        help="meetings start this long after scheduling (more on a loaded machine: a "
        "reminder a minute before a meeting, planned after that minute, is never sent)",
    )
    parser.add_argument(
        "--saturation-batches",
        type=int,
        default=10,
        help="pre-filled events per worker, in its batch sizes (the matcher's 500)",
    )
    parser.add_argument("--skip-cycle", action="store_true", help="the saturation lines only")
    args = parser.parse_args()
    with sigterm_unwinds():
        asyncio.run(main(args.people, args.lead_s, args.saturation_batches, args.skip_cycle))
