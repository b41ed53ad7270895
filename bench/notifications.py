"""Notification fan-out benchmark: N reminders due in the same minute, to a webhook sink.

Usage: ``python bench/notifications.py [--count 100000] [--dispatchers 2] [--batch 2500]
[--concurrency 400]``

A database is seeded with ``count`` meeting reminders due within one minute, routed to
the generic webhook; a sink process counts deliveries by idempotency key; ``dispatchers``
processes run ``dispatch_due`` (the worker timer's body) until nothing is left. Prints
``BENCH fanout_<n> seconds=<s> duplicates=<n> missing=<n>`` and details (``queue_left``
must be 0: a settled item leaves the queue). Measured first, in the same run:
``BENCH fanout_transport`` (the same reminders rendered, signed and posted by the same
sender and concurrency, no database), then ``BENCH fanout_ratio`` (fan-out / transport)
and ``BENCH fanout_cpu`` (the same ratio in CPU seconds, the database's shown apart).
Last, ``BENCH fanout_ledger_only``: the fan-out's ledger entries inserted again on the
same server, and the CPU ratio with that in place of the fan-out's database CPU
(``bench.lib.ledger_floor``: the least database work any dispatcher design must do).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

# The project root first on the path (bench/platform.py would shadow ``platform``).
# ruff: noqa: E402
sys.path[0] = str(Path(__file__).resolve().parents[1])

from pymongo import AsyncMongoClient

from bench.lib.cpu import children_cpu_s, process_cpu_s
from bench.lib.ledger_floor import ledger_only_cpu_s
from bench.lib.reminders import MINUTE, PEOPLE_PER_REMINDERS, reminder
from bench.lib.sigterm import sigterm_unwinds
from bench.lib.webhook_sink import running_sink
from services.notifications.dispatcher import dispatch_due
from services.notifications.domain.dedupe import delivery_key
from services.notifications.domain.model import (
    Channel,
)
from services.notifications.mapping import queue_doc
from services.notifications.messages import recipient, render
from services.notifications.senders import build_senders, close_senders
from services.notifications.senders.base import Outgoing, SendFailed
from services.notifications.senders.calendar import meeting_calendar
from services.notifications.senders.http import http_client
from services.notifications.senders.webhook import WebhookSender
from services.notifications.settings import NotificationsSettings
from services.notifications.store import (
    INDEXES,
    OUTBOX_COLLECTIONS,
    NotificationsStore,
)
from services.notifications.unit_of_work import Work
from shared.mongo import ensure_indexes
from shared.outbox import outbox_indexes
from shared.worker import freeze_startup_heap
from tools.localstack import LocalStack


async def _dispatch(mongo_url: str, database: str, sink_url: str, batch: int, conc: int) -> None:
    settings = NotificationsSettings(
        mongo_url=mongo_url,
        mongo_database=database,
        webhook_url=sink_url,
        dispatch_batch_size=batch,
        dispatch_concurrency=conc,
        http_timeout_s=30,
    )
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url, tz_aware=True)
    store = NotificationsStore(client[database])
    senders = build_senders(settings, store)
    now = MINUTE + timedelta(minutes=1)
    totals = {"claimed": 0, "sent": 0, "failed": 0, "retrying": 0, "already_done": 0}
    idle = 0
    try:
        while idle < 3:
            uow = Work(store=store, settings=settings, source=settings.source, now=now)
            result = await dispatch_due(uow, senders)
            for name in totals:
                totals[name] += getattr(result, name)
            idle = idle + 1 if result.claimed == 0 else 0
            if result.claimed == 0:
                await asyncio.sleep(0.2)
    finally:
        await close_senders(senders)
        await client.close()
    print(json.dumps(totals), flush=True)


async def _transport(sink_url: str, first: int, count: int, people: int, conc: int) -> None:
    """The same reminders rendered, signed and posted by the same webhook sender with the
    same concurrency, but with no database: the ceiling the dispatcher is measured against."""
    settings = NotificationsSettings(webhook_url=sink_url, http_timeout_s=30)
    client = http_client(settings.http_timeout_s, conc)
    sender = WebhookSender(client, secret=settings.webhook_secret, default_url=sink_url)
    now, gate = MINUTE + timedelta(minutes=1), asyncio.Semaphore(conc)

    async def one(i: int) -> None:
        planned = reminder(i, people)
        doc = queue_doc(planned, now=now)
        message = render(doc, planned, time_zone="UTC", contacts={}, base_url=settings.app_base_url)
        outgoing = Outgoing(
            planned,
            delivery_key(planned.key, Channel.WEBHOOK),
            message,
            recipient(planned.recipient_id, None, {"time_zone": "UTC"}),
            now,
            meeting_calendar(planned, organiser_email=None, now=now),
        )
        async with gate:  # a post that timed out (a loaded machine) is posted again, as the
            for _ in range(3):  # dispatcher retries it; one left undelivered shows in the counts
                with suppress(SendFailed):
                    return await sender.send(outgoing)

    try:
        await asyncio.gather(*(one(i) for i in range(first, first + count)))
    finally:
        await sender.aclose()


def _run_transport_baseline(
    me: list[str], tmp: Path, args: argparse.Namespace
) -> tuple[float, float, dict[str, int]]:
    """(seconds, CPU seconds of the senders and the sink, what the sink counted)."""
    share = -(-args.count // args.dispatchers)
    people = max(1, args.count // PEOPLE_PER_REMINDERS)
    cpu_before = children_cpu_s()
    with running_sink(tmp, "transport-sink") as sink:
        started = time.perf_counter()
        role = [*me, "--role", "transport", "--sink-url", sink.url, "--people", str(people)]
        role += ["--concurrency", str(args.concurrency)]
        senders = [
            subprocess.Popen(
                [*role, "--first", str(first), "--count", str(min(share, args.count - first))]
            )
            for first in range(0, args.count, share)
        ]
        for process in senders:
            process.wait()
        seconds = time.perf_counter() - started
    return seconds, children_cpu_s() - cpu_before, sink.counts


async def _seed(mongo_url: str, database: str, count: int) -> float:
    started = time.perf_counter()
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url, tz_aware=True)
    db = client[database]
    await ensure_indexes(db, [*INDEXES, *outbox_indexes(OUTBOX_COLLECTIONS)])
    people = max(1, count // PEOPLE_PER_REMINDERS)
    prefs = [
        {"_id": f"person-{p}", "time_zone": "UTC", "default_channels": ["webhook"], "version": 1}
        for p in range(people)
    ]
    for i in range(0, len(prefs), 2000):
        await db.preferences.insert_many(prefs[i : i + 2000], ordered=False)
    for first in range(0, count, 2000):
        chunk = range(first, min(count, first + 2000))
        docs = [queue_doc(reminder(i, people), now=MINUTE - timedelta(days=1)) for i in chunk]
        await db.queue.insert_many(docs, ordered=False)
    await client.close()
    return time.perf_counter() - started


async def _verify(mongo_url: str, database: str) -> dict[str, int]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url, tz_aware=True)
    db = client[database]
    # A settled item leaves the queue (the ledger is its record); what is left is not done.
    states = {"queue_left": await db.queue.count_documents({})}
    states["queue_pending"] = await db.queue.count_documents({"state": "pending"})
    states["ledger_sent"] = await db.deliveries.count_documents({"status": "sent"})
    states["ledger_other"] = await db.deliveries.count_documents({"status": {"$ne": "sent"}})
    await client.close()
    return states


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--dispatchers", type=int, default=2)
    # The worker's dispatch batch and concurrency for a burst: 2500 took 57 s, 1000 66 s for
    # 100k (5000 no gain); outcomes group-committed per half the concurrency (200: 60 s).
    parser.add_argument("--batch", type=int, default=2500)
    parser.add_argument("--concurrency", type=int, default=400)
    parser.add_argument("--role", choices=["driver", "dispatch", "transport"], default="driver")
    for name, default in (("--first", 0), ("--people", 1)):
        parser.add_argument(name, type=int, default=default)
    for name in ("--mongo", "--db", "--sink-url"):
        parser.add_argument(name, default="")
    return parser.parse_args()


def _run_role(args: argparse.Namespace) -> None:
    """A dispatcher or a transport sender, set up as the dispatcher's process is."""
    freeze_startup_heap()
    if args.role == "dispatch":
        asyncio.run(_dispatch(args.mongo, args.db, args.sink_url, args.batch, args.concurrency))
        return
    transport = _transport(args.sink_url, args.first, args.count, args.people, args.concurrency)
    asyncio.run(transport)


def _fan_out(
    me: list[str], tmp: Path, stack: LocalStack, args: argparse.Namespace
) -> dict[str, Any]:
    """Seed the reminders, start the sink and the dispatchers, time until all finished
    (and count the CPU seconds of the dispatchers, the sink and the database meanwhile)."""
    database, mongo_url = "bench_notifications", stack.mongo_url
    database_pid = stack.processes[1].pid  # the broker is the first
    seed_s = asyncio.run(_seed(mongo_url, database, args.count))
    cpu_before, database_before = children_cpu_s(), process_cpu_s(database_pid)
    with running_sink(tmp, "sink") as sink:
        started = time.perf_counter()
        dispatch = [*me, "--role", "dispatch", "--mongo", mongo_url, "--db", database]
        dispatch += ["--sink-url", sink.url, "--batch", str(args.batch)]
        dispatch += ["--concurrency", str(args.concurrency)]
        dispatchers = [
            subprocess.Popen(dispatch, stdout=subprocess.PIPE, text=True)
            for _ in range(args.dispatchers)
        ]
        reports = [
            json.loads((p.communicate()[0] or "{}").strip().splitlines()[-1]) for p in dispatchers
        ]
        seconds = time.perf_counter() - started
    database_cpu_s = process_cpu_s(database_pid) - database_before
    return {
        "seconds": seconds,
        "database_cpu_s": database_cpu_s,
        "cpu_s": children_cpu_s() - cpu_before + database_cpu_s,
        "seed_s": seed_s,
        "reports": reports,
        "received": sink.counts,
        "states": asyncio.run(_verify(mongo_url, database)),
        "ledger_only": asyncio.run(
            ledger_only_cpu_s(
                mongo_url, database, database_pid, group=max(1, args.concurrency // 2)
            )
        ),
    }


def main() -> None:
    args = _arguments()
    if args.role != "driver":
        _run_role(args)
        return
    me = [sys.executable, str(Path(__file__).resolve())]
    with (
        tempfile.TemporaryDirectory(prefix="bench-notifications-") as tmp,
        LocalStack(Path(tmp) / "stack") as stack,
    ):
        transport_s, transport_cpu_s, transport_sink = _run_transport_baseline(me, Path(tmp), args)
        run = _fan_out(me, Path(tmp), stack, args)
    seconds, received, cpu_s = run["seconds"], run["received"], run["cpu_s"]
    ledger_cpu_s, entries = run["ledger_only"]
    label = f"{args.count // 1000}k" if args.count % 1000 == 0 else str(args.count)
    lines = [
        f"details seed_seconds={run['seed_s']:.1f} dispatchers={args.dispatchers} "
        f"batch={args.batch} concurrency={args.concurrency} reports={run['reports']} "
        f"states={run['states']} sink={received}",
        f"BENCH fanout_{label} seconds={seconds:.1f} "
        f"duplicates={received['requests'] - received['unique']} "
        f"missing={args.count - received['unique']}",
        f"BENCH fanout_transport seconds={transport_s:.1f} "
        f"delivered={transport_sink['unique']} requests={transport_sink['requests']}",
        # Above 1: the dispatcher with its database is that many times slower than posting.
        f"BENCH fanout_ratio value={seconds / transport_s:.2f}",
        # In CPU seconds (dispatchers, sink, database vs senders, sink): load-proof ratio.
        f"BENCH fanout_cpu seconds={cpu_s:.1f} database={run['database_cpu_s']:.1f} "
        f"transport={transport_cpu_s:.1f} ratio={cpu_s / transport_cpu_s:.2f}",
        # As if the database had written the ledger and done nothing else (module doc).
        f"BENCH fanout_ledger_only database={ledger_cpu_s:.1f} entries={entries} "
        f"cpu_ratio={(cpu_s - run['database_cpu_s'] + ledger_cpu_s) / transport_cpu_s:.2f}",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    with sigterm_unwinds():
        main()
