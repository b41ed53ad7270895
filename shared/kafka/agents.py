"""faust plumbing: the app factory, the agent that feeds ``EventConsumer``, the runner.

``shared.worker`` builds a service's agents and timers from its handler table with these.

The agent takes its topic's records by a lane (``shared.kafka.lanes``), not faust's
per-record stream, and acks a batch only after ``process_batch`` returned, so a crash, a
cancellation at shutdown or a database outage never commits an offset past an event
whose effect is not stored.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import faust

from shared.health import PROCESS_HEALTH
from shared.kafka.consumer import EventConsumer, RawMessage
from shared.kafka.fetching import PromptTransport
from shared.kafka.lanes import acked, open_lane, taken
from shared.kafka.security import faust_credentials
from shared.logging import get_logger
from shared.metrics import CONSUMER_LAG
from shared.settings import ServiceSettings

log = get_logger(__name__)


def create_faust_app(settings: ServiceSettings, **overrides: Any) -> faust.App:
    """A faust app for consuming only: raw bytes in, no tables, topics provisioned by us,
    short broker fetch waits (``shared.kafka.fetching``)."""
    options: dict[str, Any] = {
        "broker": [f"kafka://{server}" for server in settings.kafka_bootstrap_servers.split(",")],
        "store": "memory://",
        "key_serializer": "raw",
        "value_serializer": "raw",
        "web_enabled": False,
        "topic_allow_declare": False,
        "topic_disable_leader": True,
        "consumer_auto_offset_reset": "earliest",
        "broker_session_timeout": settings.kafka_session_timeout_s,
        "broker_rebalance_timeout": settings.kafka_rebalance_timeout_s,
        "broker_heartbeat_interval": settings.kafka_heartbeat_interval_s,
        "broker_commit_interval": 1.0,
        "producer_acks": -1,
        "broker_credentials": faust_credentials(settings),
        # faust keeps a data folder per app; never in the working tree (read-only in
        # containers, where APP_DATADIR points at a writable volume).
        "datadir": _data_dir(settings),
        **overrides,
    }
    app = faust.App(settings.consumer_group, **options)
    app.transport = _PollStampingTransport(app.conf.broker_consumer, app)
    return app


class _PollStampingConsumer(PromptTransport.Consumer):  # type: ignore[valid-type,misc]  # faust: a class attribute
    """Stamps each turn of faust's fetch loop (``shared.health``): it turns about once
    a second on an idle topic too, and stops when the event loop stalls."""

    async def _wait_next_records(self, timeout: float) -> Any:  # noqa: ASYNC109  # faust's signature
        try:
            return await super()._wait_next_records(timeout)
        finally:
            PROCESS_HEALTH.polled()


class _PollStampingTransport(PromptTransport):
    """The prompt-fetch transport (``shared.kafka.fetching``) with the stamp above."""

    Consumer = _PollStampingConsumer


def _data_dir(settings: ServiceSettings) -> str:
    root = Path(os.environ.get("APP_DATADIR") or Path(tempfile.gettempdir()) / "mentoring-faust")
    root.mkdir(parents=True, exist_ok=True)
    return str(root / settings.consumer_group)


ConsumerFactory = Callable[[], Awaitable[EventConsumer]]


def bind_agent(
    app: faust.App,
    topic_name: str,
    consumer: ConsumerFactory,
    *,
    batch_size: int = 500,
    batch_window_s: float = 0.1,
) -> Any:
    """Consume ``topic_name`` in batches through the consumer the factory returns.

    The records come by the topic's lane (``shared.kafka.lanes``), not the agent's
    stream: faust still subscribes the topic for the agent and commits what is acked."""
    topic = app.topic(topic_name, key_type=bytes, value_type=bytes, allow_empty=True)
    lane = open_lane(app, topic_name, maxsize=batch_size * 2)

    async def consume(_stream: Any) -> None:
        event_consumer = await consumer()
        behind = 0
        while True:
            batch = await _next_batch(lane, batch_size, batch_window_s, behind=behind >= batch_size)
            records = taken(app, batch)
            if not records:
                continue
            await event_consumer.process_batch([_raw(record) for record in records])
            acked(app, records)
            PROCESS_HEALTH.polled()  # a long batch is progress, not a stall
            behind = _report_lag(app, event_consumer.service, records)

    consume.__name__ = f"consume_{topic_name.replace('.', '_')}"
    return app.agent(topic, name=f"{app.conf.id}.{topic_name}")(consume)


async def _next_batch(
    queue: asyncio.Queue[Any], size: int, window_s: float, *, behind: bool = False
) -> list[Any]:
    """The first event and whatever follows it without a pause, up to ``size`` events
    and ``window_s`` seconds.

    No fixed window: an event that arrives alone is applied at once. A run of events
    still crossing from the fetcher (faust hands them over one by one) is waited for as
    long as each next one is already on its way (one loop turn). ``behind``: the topic
    holds at least a batch more than was applied (the lag), so the batch waits for its
    events, up to ``window_s``: they are late already, and a pre-filled topic otherwise
    came in batches of about 15 (a few round trips each, for 15 events: the matcher
    applied 1,250 a second)."""
    loop = asyncio.get_running_loop()
    batch = [await queue.get()]
    deadline = loop.time() + window_s
    while len(batch) < size and (left := deadline - loop.time()) > 0:
        if queue.empty():
            if behind:
                try:
                    batch.append(await asyncio.wait_for(queue.get(), left))
                except TimeoutError:
                    break
                continue
            await asyncio.sleep(0)  # let a fetched run cross over
            if queue.empty():
                break
        batch.append(queue.get_nowait())
    return batch


def _report_lag(app: faust.App, service: str, batch: list[Any]) -> int:
    """Lag per partition from the broker's high watermark (aiokafka's last fetch); returns
    the batch's partitions' lag in all."""
    last: dict[Any, int] = {}
    total = 0
    for record in batch:
        last[record.tp] = max(last.get(record.tp, -1), record.offset)
    for tp, offset in last.items():
        try:
            highwater = app.consumer.highwater(tp)
        except Exception:  # no fetch response for the partition yet
            continue
        if highwater is not None:
            lag = max(0, int(highwater) - offset - 1)
            CONSUMER_LAG.labels(service, tp.topic, str(tp.partition)).set(lag)
            total += lag
    return total


def _raw(message: Any) -> RawMessage:
    headers = message.headers or []
    if isinstance(headers, dict):
        headers = list(headers.items())
    return RawMessage(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
        headers=[(k, v if isinstance(v, bytes) else str(v).encode()) for k, v in headers],
    )


def run_worker(app: faust.App, settings: ServiceSettings) -> None:
    """Run until SIGTERM/SIGINT; faust stops agents and commits what was acked."""
    worker = faust.Worker(
        app,
        loglevel=settings.log_level.lower(),
        override_logging=False,
        quiet=True,
    )
    worker.execute_from_commandline()
