"""The matcher's worker: keeps the people projection from ``hr.people.v1``."""

from __future__ import annotations

from collections.abc import Sequence

from services.matcher.bootstrap import build_runtime
from services.matcher.hr_projection import apply_hr_events
from services.matcher.settings import MatcherSettings
from services.matcher.store import MatcherStore
from shared.contracts.registry import HR_PEOPLE, ParsedEvent
from shared.kafka.consumer import EventConsumer
from shared.worker import ServiceWorker


def build_worker(settings: MatcherSettings | None = None) -> ServiceWorker:
    settings = settings or MatcherSettings()
    worker = ServiceWorker(settings, build_runtime(settings, consumes=True))

    async def people_consumer() -> EventConsumer:
        runtime = await worker.started_runtime()
        store = MatcherStore(runtime.db)

        async def handle(events: Sequence[ParsedEvent]) -> None:
            await apply_hr_events(store, events)

        return runtime.event_consumer(handle)

    worker.consume(HR_PEOPLE.name, people_consumer)
    return worker


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
