"""One place that builds the real things of a service process (database, producer, relay).

The API (in its lifespan) and the worker (at start-up) both start a ``Runtime``;
tests start the same one against the local broker and database.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from shared.auth import Principal
from shared.kafka.admin import provision_topics
from shared.kafka.consumer import BatchHandler, EventConsumer, of_types
from shared.kafka.dedupe import PROCESSED_EVENTS_INDEXES, ProcessedEvents
from shared.kafka.producer import EventProducer
from shared.kafka.security import kafka_python_options
from shared.logging import get_logger
from shared.mongo import Document, IndexSpec, create_client, ensure_indexes
from shared.outbox import OutboxRelay, outbox_indexes
from shared.settings import ServiceSettings
from shared.unit_of_work import UnitOfWork, utc_now

log = get_logger(__name__)

STARTUP_WAIT_S = 60.0


class Runtime:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        indexes: Sequence[IndexSpec] = (),
        outbox_collections: Sequence[str] = (),
        store: Callable[[AsyncDatabase[Document]], Any] | None = None,
        consumes: bool = False,
    ) -> None:
        self.settings = settings
        self._store_factory = store
        self._store: Any = None
        self.indexes = list(indexes)
        self.outbox_collections = list(outbox_collections)
        self.consumes = consumes
        self._lock = asyncio.Lock()
        self._started = False
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self.mongo: AsyncMongoClient[Document] | None = None
        self._db: AsyncDatabase[Document] | None = None
        self._producer: EventProducer | None = None
        self.relay: OutboxRelay | None = None

    @property
    def db(self) -> AsyncDatabase[Document]:
        assert self._db is not None, "Runtime.start() first"
        return self._db

    @property
    def store(self) -> Any:
        """The service's store over the started database, built once (collection
        handles cost to build per request)."""
        if self._store is None or getattr(self._store, "db", None) is not self.db:
            assert self._store_factory is not None, "the runtime was built without a store"
            self._store = self._store_factory(self.db)
        return self._store

    def unit_of_work(
        self, *, caller: Principal | None = None, now: datetime | None = None
    ) -> UnitOfWork[Any, Any]:
        """A unit of work over this runtime: its store, the settings' event source, and
        the relay's nudge on success."""
        return UnitOfWork(
            store=self.store,
            settings=self.settings,
            source=self.settings.source,
            now=now or utc_now(),
            caller=caller,
            on_commit=self.nudge_outbox,
        )

    @property
    def producer(self) -> EventProducer:
        assert self._producer is not None, "Runtime.start() first"
        return self._producer

    async def start(self) -> None:
        """Idempotent: connect, create indexes and topics, start the outbox relay."""
        async with self._lock:
            if self._started:
                return
            s = self.settings
            self.mongo = create_client(
                s.mongo_url.get_secret_value(),
                timeout_ms=s.mongo_timeout_ms,
                app_name=s.service_name,
            )
            self._db = self.mongo[s.database_name]
            indexes = [*self.indexes, *outbox_indexes(self.outbox_collections)]
            if self.consumes:
                indexes += PROCESSED_EVENTS_INDEXES
            await _retry_until_ready("mongodb", lambda: ensure_indexes(self.db, indexes))
            if s.kafka_provision_topics:
                await asyncio.to_thread(
                    provision_topics,
                    s.kafka_bootstrap_servers,
                    wait_s=STARTUP_WAIT_S,
                    replication_factor=s.kafka_replication_factor,
                    **kafka_python_options(s),
                )
            self._producer = await asyncio.to_thread(self._make_producer)
            if self.outbox_collections and s.outbox_relay_enabled:
                self.relay = OutboxRelay(
                    self.db,
                    self.outbox_collections,
                    self.producer,
                    service=s.service_name,
                    poll_interval_s=s.outbox_poll_interval_s,
                )
                self._tasks.append(asyncio.create_task(self.relay.run(self._stop)))
            self._started = True
            log.info("runtime_started", database=s.database_name)

    def _make_producer(self) -> EventProducer:
        deadline = time.monotonic() + STARTUP_WAIT_S
        while True:
            try:
                return EventProducer(
                    self.settings.kafka_bootstrap_servers,
                    service=self.settings.service_name,
                    **kafka_python_options(self.settings),
                )
            except Exception as exc:
                if time.monotonic() > deadline:
                    raise
                log.info("broker_not_ready", error=repr(exc))
                time.sleep(0.5)

    async def stop(self) -> None:
        """Finish the relay's current pass, flush the producer, close the database."""
        self._stop.set()
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, timeout=2)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        if self._producer is not None:
            await asyncio.to_thread(self._producer.close)
        if self.mongo is not None:
            await self.mongo.close()
        self._started = False

    def nudge_outbox(self) -> None:
        if self.relay is not None:
            self.relay.nudge()

    def event_consumer(
        self,
        handler: BatchHandler,
        *,
        event_types: frozenset[str] | None = None,
        replay_safe_types: frozenset[str] | None = frozenset(),
    ) -> EventConsumer:
        """The consumer of a topic whose handler reacts to ``event_types`` (``None``: to
        every event; see ``shared.service.handled_types``), of which ``replay_safe_types``
        (``None``: all) are not remembered as applied (``shared.service.replay_safe``)."""
        return EventConsumer(
            service=self.settings.service_name,
            group=self.settings.consumer_group,
            producer=self.producer,
            processed=ProcessedEvents(self.db, self.settings.consumer_group),
            handler=handler,
            should_stop=self._stop.is_set,
            reacts_to=of_types(event_types),
            replay_safe=of_types(replay_safe_types),
        )

    async def readiness(self) -> dict[str, str]:
        """Per dependency ``ok`` or the error; the API answers 503 unless all are ``ok``."""
        return {
            "mongodb": await self.database_reachable(),
            "kafka": await _kafka_reachable(self.settings.kafka_bootstrap_servers),
        }

    async def database_reachable(self) -> str:
        """``ok`` when the database answers a ping, else why not."""
        try:
            if self.mongo is None:
                raise RuntimeError("not started")
            await asyncio.wait_for(self.mongo.admin.command("ping"), timeout=2)
            return "ok"
        except (PyMongoError, RuntimeError, TimeoutError) as exc:
            return f"unavailable: {exc!r}"[:200]


async def _kafka_reachable(bootstrap: str) -> str:
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), 2)
            writer.close()
            await writer.wait_closed()
            return "ok"
        except (OSError, TimeoutError, ValueError, socket.gaierror):
            continue
    return "unavailable: no bootstrap server answered"


async def _retry_until_ready(what: str, attempt: Any) -> None:
    deadline = time.monotonic() + STARTUP_WAIT_S
    while True:
        try:
            await attempt()
            return
        except PyMongoError as exc:
            if time.monotonic() > deadline:
                raise
            log.info("dependency_not_ready", dependency=what, error=repr(exc))
            await asyncio.sleep(0.5)
