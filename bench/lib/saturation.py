"""A worker at saturation, next to the same handlers run in process.

The worker: its input topic pre-filled with the events, then the real worker process
started on a broker and database of their own (a fresh pair per consumer: every worker
also consumes other topics, which must hold nothing else). Its rate is read off its
processed counter (``mentoring_events_consumed_total``), polled from its ``/metrics``
every ``POLL_S``: the events applied after the first poll that sees any, over the time
from that poll to the first that sees them all, so start-up and the group's join are
not counted. Replay-safe events leave no processed-events mark to time them by, hence
the counter; each end is known to within a poll interval and a scrape (about 50 ms of
a run of seconds).

In process: the same events, parsed beforehand, through the handler table of the
service's ``bootstrap.py`` in batches of the worker's batch size, each batch in a unit
of work of its own, on another database of the same local server, seeded alike, timed
the same way (first batch's end to last batch's end). No broker, no consumer policy
(validation, de-duplication reads, marks) and no relay: what the handlers stage stays
staged. The ratio is what the worker loop, the broker and the relay cost.

The consume path in process splits that ratio: the same batches from their bytes
through ``EventConsumer.process_batch`` (validation, the de-duplication read, the
handlers, the marks) on a third database, timed alike. Its consumer is built as the
worker's is: it skips the types no handler takes (``shared.service.handled_types``) and
neither looks up nor marks the replay-safe ones (``replay_safe_types``). Against
``in_process`` it is what the consumer policy costs; the worker against it, faust, the
broker and the relay. Both run with the worker's collector thresholds
(``shared.worker.GC_THRESHOLDS``), as the worker does.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
from kafka import KafkaProducer
from pymongo import AsyncMongoClient

from bench.lib.consumer_events import TOPIC_OF, payload, seed_events
from bench.lib.worker_metrics import WorkerMetrics
from shared.contracts.envelope import Envelope
from shared.contracts.registry import ParsedEvent, parse_event
from shared.kafka.admin import provision_topics
from shared.kafka.consumer import EventConsumer, RawMessage, of_types
from shared.kafka.dedupe import ProcessedEvents
from shared.kafka.producer import EventProducer
from shared.mongo import ensure_indexes
from shared.outbox import outbox_indexes
from shared.service import (
    EventHandler,
    ServiceDefinition,
    batch_handler,
    handled_types,
    replay_safe_types,
)
from shared.unit_of_work import UnitOfWork
from shared.worker import GC_THRESHOLDS
from tests.support.processes import running
from tools.localstack import LocalStack, free_port

SOURCE = "/bench/saturation"
GROUP = "{}-saturation"
#: How often the worker's processed counter is read: the resolution of its rate's ends.
POLL_S = 0.05
#: Events on a topic: (topic name, envelope).
Events = Sequence[tuple[str, Envelope]]


@dataclass(frozen=True)
class Saturation:
    """Events per second of one consumer: its worker, its handlers alone in process, and
    its consume path in process (the handlers with validation, de-duplication, marks)."""

    consumer: str
    events: int
    events_per_s: float
    in_process: float
    consume_path: float

    def line(self) -> str:
        return (
            f"BENCH saturation consumer={self.consumer} events_per_s={self.events_per_s:.0f} "
            f"in_process={self.in_process:.0f} ratio={self.events_per_s / self.in_process:.2f} "
            f"events={self.events} consume_path={self.consume_path:.0f} "
            f"path_ratio={self.events_per_s / self.consume_path:.2f}"
        )


def definition_of(consumer: str) -> ServiceDefinition:
    """The service as its ``bootstrap.py`` declares it (handler table, store, settings)."""
    return cast(
        ServiceDefinition, importlib.import_module(f"services.{consumer}.bootstrap").SERVICE
    )


def wrapped(events: Sequence[tuple[str, str, Any]]) -> list[tuple[str, Envelope]]:
    """(topic, subject, data) as (topic, envelope) of this bench."""
    return [(t, Envelope.wrap(data, source=SOURCE, subject=s)) for t, s, data in events]


def consumer_events(consumer: str, count: int) -> list[tuple[str, Envelope]]:
    """The ``count`` events a consumer is measured on (``bench.lib.consumer_events``)."""
    topic = TOPIC_OF[consumer]
    return wrapped([(topic, *payload(consumer, "sat", i)) for i in range(count)])


def rate_after_first_batch(finished: Sequence[float]) -> float:
    """Events per second from each event's finishing time (a batch's events share one):
    the events after the first batch over the time from its end to the last one's."""
    first, last = min(finished), max(finished)
    if last == first:
        raise ValueError("one batch only: offer more events than a batch holds")
    return sum(1 for t in finished if t > first) / (last - first)


async def apply_in_process(
    definition: ServiceDefinition,
    db: Any,
    events: Events,
    batch_size: int,
    *,
    consume_path: bool = False,
) -> list[float]:
    """The events through the service's handler table, topic by topic, in batches of
    ``batch_size``, each in its own unit of work; returns each event's finishing time.

    Handlers only (parsed beforehand), or with ``consume_path`` each batch as the worker
    applies it, from the raw bytes through ``EventConsumer.process_batch`` (validation,
    the de-duplication read, the handlers, the marks), without faust, broker or relay."""
    settings = definition.settings()
    store = definition.store(db)
    finished: list[float] = []
    for topic, handlers in definition.handlers.items():
        handle = batch_handler(handlers)

        async def apply(batch: Sequence[ParsedEvent], handle: EventHandler = handle) -> None:
            async with UnitOfWork(store=store, settings=settings, source=settings.source) as uow:
                await handle(uow, batch)

        on_topic = [e for t, e in events if t == topic.name]
        items: list[Any]
        if consume_path:
            group = GROUP.format(definition.name)
            consumer = EventConsumer(
                service=definition.name,
                group=group,
                producer=cast(EventProducer, None),  # dead letters only: none here
                processed=ProcessedEvents(db, group),
                handler=apply,
                reacts_to=of_types(handled_types(handlers)),
                replay_safe=of_types(replay_safe_types(handlers)),
            )
            items = [
                RawMessage(topic.name, 0, i, None, e.to_bytes()) for i, e in enumerate(on_topic)
            ]
            step: Callable[[Any], Awaitable[object]] = consumer.process_batch
        else:
            items, step = [parse_event(topic.name, e.to_bytes()) for e in on_topic], apply
        for start in range(0, len(items), batch_size):
            await step(items[start : start + batch_size])
            finished.extend([time.time()] * len(items[start : start + batch_size]))
    return finished


async def prepared(definition: ServiceDefinition, db: Any) -> None:
    """The service's indexes and the seed (program and people) applied in process."""
    await ensure_indexes(db, [*definition.indexes, *outbox_indexes(definition.outbox_collections)])
    await apply_in_process(definition, db, wrapped(seed_events()), 500)


def prefill(bootstrap: str, events: Events) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    for topic, envelope in events:
        producer.send(topic, key=envelope.subject.encode(), value=envelope.to_bytes())
    producer.flush()
    producer.close()


async def worker_rate(
    stack: LocalStack, workdir: Path, consumer: str, db: Any, events: Events, timeout_s: float
) -> float:
    """Start the real worker on the pre-filled topic; its events per second by its
    processed counter, from the first poll that sees any applied to the first that sees
    them all."""
    topic, total = TOPIC_OF[consumer], len(events)
    port = free_port()
    options = {
        "log_level": "WARNING",
        "kafka_consumer_group": GROUP.format(consumer),
        "worker_metrics_port": str(port),
    }
    metrics = WorkerMetrics(port)
    first: tuple[float, float] | None = None  # (time, applied) when any was seen
    try:
        with running(stack, consumer, "worker", database=db.name, log_dir=workdir, **options) as w:
            deadline = time.monotonic() + timeout_s
            while True:
                if time.monotonic() > deadline or w["proc"].poll() is not None:  # type: ignore[attr-defined]
                    raise RuntimeError(
                        f"the {consumer} worker did not apply every event: {w['log']}"
                    )
                try:
                    applied = (await metrics.scrape()).applied(consumer, topic)
                except httpx.HTTPError:
                    applied = 0.0  # not serving its metrics yet
                now = time.monotonic()
                if applied >= total:
                    break
                if applied and first is None:
                    first = (now, applied)
                await asyncio.sleep(POLL_S)
    finally:
        await metrics.close()
    if first is None:
        raise ValueError("one poll saw every event applied: offer more events")
    return (total - first[1]) / (now - first[0])


async def saturation(workdir: Path, consumer: str, batches: int, timeout_s: float) -> Saturation:
    """One consumer, ``batches`` times its worker's batch size of events: in process
    (handlers only, then the consume path), then its worker at saturation, on a fresh
    broker and database server."""
    definition = definition_of(consumer)
    batch_size = definition.settings().consumer_batch_size
    count = batches * batch_size
    events = consumer_events(consumer, count)
    with LocalStack(workdir / f"stack-{consumer}") as stack:
        provision_topics(stack.bootstrap_servers)
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
        try:
            rates = {}
            for consume_path in (False, True):
                db = mongo[
                    f"saturation_{consumer}_{'consume_path' if consume_path else 'handlers'}"
                ]
                await prepared(definition, db)
                thresholds = gc.get_threshold()
                gc.set_threshold(*GC_THRESHOLDS)
                try:
                    finished = await apply_in_process(
                        definition, db, events, batch_size, consume_path=consume_path
                    )
                finally:
                    gc.set_threshold(*thresholds)
                rates[consume_path] = rate_after_first_batch(finished)
            worker_db = mongo[f"saturation_{consumer}_worker"]
            await prepared(definition, worker_db)
            await asyncio.to_thread(prefill, stack.bootstrap_servers, events)
            worker = await worker_rate(stack, workdir, consumer, worker_db, events, timeout_s)
        finally:
            await mongo.close()
    return Saturation(
        consumer=consumer,
        events=count,
        events_per_s=worker,
        in_process=rates[False],
        consume_path=rates[True],
    )
