"""A service's worker process, built from its definition: one faust agent per topic of
the handler table, one faust timer per declared timer, a runtime and a metrics port.

Each consumed batch and each timer tick runs in its own unit of work, so a handler
finds the store, the clock and the event source there and the outbox relay is nudged
once the batch's effects are stored.
"""

from __future__ import annotations

import gc
from typing import Any

from prometheus_client import start_http_server

from shared.kafka.agents import bind_agent, create_faust_app, run_worker
from shared.kafka.consumer import EventConsumer
from shared.logging import configure_logging, get_logger
from shared.metrics import HANDLER_RETRIES, TIMER_LAST_SUCCESS, WORKER_ASSIGNED_PARTITIONS
from shared.runtime import Runtime
from shared.service import ServiceDefinition, Timer, TopicHandlers, batch_handler
from shared.settings import ServiceSettings

log = get_logger(__name__)


def freeze_startup_heap() -> None:
    """Move what start-up built (modules, faust, clients: all long-lived) out of the
    collector's reach. Otherwise every full collection walks it again while batches
    churn, freeing nothing: about a tenth of a busy consumer's time."""
    gc.collect()
    gc.freeze()


class ServiceWorker:
    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings) -> None:
        self.definition = definition
        self.settings = settings
        self.runtime = definition.runtime(settings, consumes=True)
        self.app = create_faust_app(settings)
        self.agents = [self._agent(t.name, h) for t, h in definition.handlers.items()]
        for timer in definition.timers:
            self._timer(timer)
        self._connect_lifecycle()

    def _connect_lifecycle(self) -> None:
        service = self.settings.service_name

        @self.app.task
        async def start_runtime() -> None:
            await self.runtime.start()
            freeze_startup_heap()

        @self.app.on_partitions_assigned.connect  # type: ignore[arg-type]  # faust's stub wants a sync receiver; async ones are awaited
        async def count_assigned(_app: Any, assigned: Any = (), **_kwargs: Any) -> None:
            WORKER_ASSIGNED_PARTITIONS.labels(service).set(len(assigned))

        @self.app.on_partitions_revoked.connect  # type: ignore[arg-type]  # as above
        async def count_revoked(_app: Any, revoked: Any = (), **_kwargs: Any) -> None:
            WORKER_ASSIGNED_PARTITIONS.labels(service).set(0)

        @self.app.on_before_shutdown.connect  # type: ignore[arg-type]  # as above
        async def stop_runtime(_app: Any, **_kwargs: Any) -> None:
            await self.runtime.stop()

    async def started_runtime(self) -> Runtime:
        await self.runtime.start()
        return self.runtime

    def _agent(self, topic: str, handlers: TopicHandlers) -> Any:
        handle = batch_handler(handlers)
        HANDLER_RETRIES.labels(self.settings.service_name, topic)  # 0 until one: a series, not none

        async def consumer() -> EventConsumer:
            runtime = await self.started_runtime()

            async def apply(events: Any) -> None:
                async with runtime.unit_of_work() as uow:
                    await handle(uow, events)

            return runtime.event_consumer(apply)

        return bind_agent(
            self.app,
            topic,
            consumer,
            batch_size=self.settings.consumer_batch_size,
            batch_window_s=self.settings.consumer_batch_window_s,
        )

    def _timer(self, timer: Timer) -> None:
        async def tick() -> None:
            runtime = await self.started_runtime()
            try:
                async with runtime.unit_of_work() as uow:
                    outcome = await timer.run(uow)
            except Exception as exc:  # a timer must never die; the next tick tries again
                log.warning("timer_failed", timer=timer.name, error=repr(exc))
                return
            TIMER_LAST_SUCCESS.labels(self.settings.service_name, timer.name).set_to_current_time()
            if outcome:
                log.info("timer_done", timer=timer.name, outcome=repr(outcome)[:300])

        tick.__name__ = tick.__qualname__ = f"timer_{timer.name}"
        self.app.timer(timer.interval(self.settings), name=f"{self.app.conf.id}.{timer.name}")(tick)

    def run(self) -> None:
        configure_logging(self.settings.service_name, self.settings.log_level)
        if self.settings.worker_metrics_port:
            start_http_server(self.settings.worker_metrics_port, addr=self.settings.http_host)
        log.info("worker_starting", group=self.settings.consumer_group)
        run_worker(self.app, self.settings)
