"""The sessions worker: reacts to the matcher's events."""

from __future__ import annotations

from collections.abc import Sequence

from services.sessions.bootstrap import build_runtime
from services.sessions.program_projection import apply_program_events
from services.sessions.settings import SessionsSettings
from services.sessions.store import SessionsStore
from shared.contracts.registry import PROGRAMS, ParsedEvent
from shared.kafka.consumer import EventConsumer
from shared.worker import ServiceWorker


def build_worker(settings: SessionsSettings | None = None) -> ServiceWorker:
    settings = settings or SessionsSettings()
    worker = ServiceWorker(settings, build_runtime(settings, consumes=True))

    async def programs_consumer() -> EventConsumer:
        runtime = await worker.started_runtime()
        store = SessionsStore(runtime.db)

        async def handle(events: Sequence[ParsedEvent]) -> None:
            await apply_program_events(store, events)

        return runtime.event_consumer(handle)

    worker.consume(PROGRAMS.name, programs_consumer)
    return worker


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
