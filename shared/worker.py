"""A service's worker process, built from its definition: one faust agent per topic of
the handler table, one faust timer per declared timer, a runtime and a metrics port; and
the processes of its timer roles (``TimerWorker``: only timers, no consumer).

Each consumed batch and each timer tick runs in its own unit of work, so a handler
finds the store, the clock and the event source there and the outbox relay is nudged
once the batch's effects are stored.

Both serve ``/metrics``, ``/healthz`` and ``/readyz`` on the metrics port
(``shared.health``): live while the loop beats, the broker is polled and the timers tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import time
from typing import Any

from shared.health import PROCESS_HEALTH, serve_health
from shared.kafka.agents import bind_agent, create_faust_app, run_worker
from shared.kafka.consumer import EventConsumer
from shared.logging import configure_logging, get_logger
from shared.metrics import HANDLER_RETRIES, TIMER_LAST_SUCCESS, WORKER_ASSIGNED_PARTITIONS
from shared.runtime import Runtime
from shared.service import (
    ServiceDefinition,
    Timer,
    TopicHandlers,
    batch_handler,
    handled_types,
    replay_safe_types,
)
from shared.settings import ServiceSettings

log = get_logger(__name__)

#: How long a stopping timer process lets its ticks in hand finish.
TICK_GRACE_S = 20.0


#: Allocations between two collections of the youngest generation (Python's default:
#: 700), and how many of those make one of the next (10, 10).
GC_THRESHOLDS = (50_000, 20, 20)


def freeze_startup_heap() -> None:
    """Move what start-up built (modules, faust, clients: all long-lived) out of the
    collector's reach, and collect less often. Otherwise every full collection walks it
    again while batches churn, freeing nothing: about a tenth of a busy consumer's time.

    A batch's events (envelopes, payload models, their dicts: a few dozen objects each)
    are freed by reference counting, not by the collector, yet at the default threshold
    their allocations set it off every 30 events or so. In process the matcher's consume
    path spent 0.5-0.6 s of 2.1-2.5 s in 1,000 collections for 40,000 events, and 0.025 s
    in one at ``GC_THRESHOLDS``; what waits for a collection is at most a batch's
    garbage cycles (a few megabytes)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def run_tick(runtime: Runtime, timer: Timer, service: str) -> None:
    """One tick of a timer in its own unit of work; a timer must never die, so a failed
    tick is logged and the next one tries again."""
    try:
        async with runtime.unit_of_work() as uow:
            outcome = await timer.run(uow)
    except Exception as exc:
        log.warning("timer_failed", timer=timer.name, error=repr(exc))
        return
    finally:
        PROCESS_HEALTH.ticked(timer.name)  # it ended: the timer is not stuck
    TIMER_LAST_SUCCESS.labels(service, timer.name).set_to_current_time()
    if outcome:
        log.info("timer_done", timer=timer.name, outcome=repr(outcome)[:300])


def serve_metrics(settings: ServiceSettings, timers: list[Timer]) -> None:
    """The process's /metrics and probes (their own thread); each timer must tick
    within two of its intervals and the slack."""
    for timer in timers:
        max_age = 2 * timer.interval(settings) + settings.health_tick_slack_s
        PROCESS_HEALTH.expect_ticks(timer.name, max_age)
    PROCESS_HEALTH.loop.max_age_s = settings.health_loop_max_age_s
    if settings.worker_metrics_port:
        serve_health(
            settings.worker_metrics_port,
            settings.http_host,
            PROCESS_HEALTH,
            settings.debug_loop_stall_s,
        )


class ServiceWorker:
    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings) -> None:
        self.definition = definition
        self.settings = settings
        self.runtime = definition.runtime(settings, consumes=True)
        self.app = create_faust_app(settings)
        self.stopping = asyncio.Event()
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

        @self.app.task
        async def keep_health() -> None:
            await PROCESS_HEALTH.keep(self.runtime.database_reachable, self.stopping)

        @self.app.on_partitions_assigned.connect  # type: ignore[arg-type]  # faust's stub wants a sync receiver; async ones are awaited
        async def count_assigned(_app: Any, assigned: Any = (), **_kwargs: Any) -> None:
            WORKER_ASSIGNED_PARTITIONS.labels(service).set(len(assigned))
            PROCESS_HEALTH.assigned = len(assigned)

        @self.app.on_partitions_revoked.connect  # type: ignore[arg-type]  # as above
        async def count_revoked(_app: Any, revoked: Any = (), **_kwargs: Any) -> None:
            WORKER_ASSIGNED_PARTITIONS.labels(service).set(0)
            PROCESS_HEALTH.assigned = 0

        @self.app.on_before_shutdown.connect  # type: ignore[arg-type]  # as above
        async def stop_runtime(_app: Any, **_kwargs: Any) -> None:
            self.stopping.set()
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

            return runtime.event_consumer(
                apply,
                event_types=handled_types(handlers),
                replay_safe_types=replay_safe_types(handlers),
            )

        return bind_agent(
            self.app,
            topic,
            consumer,
            batch_size=self.settings.consumer_batch_size,
            batch_window_s=self.settings.consumer_batch_window_s,
        )

    def _timer(self, timer: Timer) -> None:
        async def tick() -> None:
            await run_tick(await self.started_runtime(), timer, self.settings.service_name)

        tick.__name__ = tick.__qualname__ = f"timer_{timer.name}"
        self.app.timer(timer.interval(self.settings), name=f"{self.app.conf.id}.{timer.name}")(tick)

    def run(self) -> None:
        configure_logging(self.settings.service_name, self.settings.log_level)
        PROCESS_HEALTH.expect_polls(self.settings.kafka_session_timeout_s)
        serve_metrics(self.settings, list(self.definition.timers))
        log.info("worker_starting", group=self.settings.consumer_group)
        run_worker(self.app, self.settings)


class TimerWorker:
    """A process that runs only a role's timers (``ServiceDefinition.timer_roles``): no
    consumer group, no faust; each timer ticks on its interval in its own unit of work,
    and the runtime (database, producer, outbox relay) is the worker's."""

    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings, role: str) -> None:
        self.role = role
        self.settings = settings
        self.timers = list(definition.timer_roles[role])
        self.runtime = definition.runtime(settings)

    async def serve(self, stop: asyncio.Event) -> None:
        """Tick every timer until ``stop`` is set, then stop the runtime."""
        await self.runtime.start()
        loops = [asyncio.create_task(self._every(timer, stop)) for timer in self.timers]
        try:
            await stop.wait()
            if loops:
                await asyncio.wait(loops, timeout=TICK_GRACE_S)  # the ticks in hand finish
        finally:
            for task in loops:
                task.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            await self.runtime.stop()

    async def _every(self, timer: Timer, stop: asyncio.Event) -> None:
        interval = timer.interval(self.settings)
        while not stop.is_set():
            started = time.monotonic()
            await run_tick(self.runtime, timer, self.settings.service_name)
            pause = max(0.0, interval - (time.monotonic() - started))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)

    def run(self) -> None:
        """Until SIGTERM/SIGINT; the tick in hand finishes (its deliveries recorded)."""
        configure_logging(self.settings.service_name, self.settings.log_level)
        serve_metrics(self.settings, self.timers)
        log.info("timers_starting", role=self.role, timers=[t.name for t in self.timers])

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
            await self.runtime.start()
            freeze_startup_heap()
            beating = asyncio.create_task(
                PROCESS_HEALTH.keep(self.runtime.database_reachable, stop)
            )
            await self.serve(stop)
            await beating

        asyncio.run(main())
