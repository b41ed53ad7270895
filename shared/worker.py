"""A service's worker process: a faust app, its runtime, its agents and a metrics port."""

from __future__ import annotations

import gc
from typing import Any

from prometheus_client import start_http_server

from shared.kafka.worker import ConsumerFactory, bind_agent, create_faust_app, run_worker
from shared.logging import configure_logging, get_logger
from shared.metrics import WORKER_ASSIGNED_PARTITIONS
from shared.runtime import Runtime
from shared.settings import ServiceSettings

log = get_logger(__name__)


def freeze_startup_heap() -> None:
    """Move what start-up built (modules, faust, clients: all long-lived) out of the
    collector's reach. Otherwise every full collection walks it again while batches
    churn, freeing nothing: about a tenth of a busy consumer's time."""
    gc.collect()
    gc.freeze()


class ServiceWorker:
    def __init__(self, settings: ServiceSettings, runtime: Runtime) -> None:
        self.settings = settings
        self.runtime = runtime
        self.app = create_faust_app(settings)
        self.agents: list[Any] = []

        @self.app.task
        async def start_runtime() -> None:
            await self.runtime.start()
            freeze_startup_heap()

        @self.app.on_partitions_assigned.connect
        async def count_assigned(_app: Any, assigned: Any = (), **_kwargs: Any) -> None:
            WORKER_ASSIGNED_PARTITIONS.labels(settings.service_name).set(len(assigned))

        @self.app.on_partitions_revoked.connect
        async def count_revoked(_app: Any, revoked: Any = (), **_kwargs: Any) -> None:
            WORKER_ASSIGNED_PARTITIONS.labels(settings.service_name).set(0)

        @self.app.on_before_shutdown.connect
        async def stop_runtime(_app: Any, **_kwargs: Any) -> None:
            await self.runtime.stop()

    async def started_runtime(self) -> Runtime:
        await self.runtime.start()
        return self.runtime

    def consume(self, topic: str, consumer: ConsumerFactory) -> None:
        self.agents.append(
            bind_agent(
                self.app,
                topic,
                consumer,
                batch_size=self.settings.consumer_batch_size,
                batch_window_s=self.settings.consumer_batch_window_s,
            )
        )

    def timer(self, interval_s: float) -> Any:
        """Decorator for a periodic task of this worker (reminders, health sweeps...)."""
        return self.app.timer(interval_s)

    def run(self) -> None:
        configure_logging(self.settings.service_name, self.settings.log_level)
        if self.settings.worker_metrics_port:
            start_http_server(self.settings.worker_metrics_port, addr=self.settings.http_host)
        log.info("worker_starting", group=self.settings.consumer_group)
        run_worker(self.app, self.settings)
