"""The notifier's worker: keeps the contact directory from ``hr.people.v1``."""

from __future__ import annotations

from collections.abc import Sequence

from services.notifications.bootstrap import build_runtime
from services.notifications.contacts import apply_contact_events
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from shared.contracts.registry import HR_PEOPLE, ParsedEvent
from shared.kafka.consumer import EventConsumer
from shared.worker import ServiceWorker


def build_worker(settings: NotificationsSettings | None = None) -> ServiceWorker:
    settings = settings or NotificationsSettings()
    worker = ServiceWorker(settings, build_runtime(settings, consumes=True))

    async def contacts_consumer() -> EventConsumer:
        runtime = await worker.started_runtime()
        store = NotificationsStore(runtime.db)

        async def handle(events: Sequence[ParsedEvent]) -> None:
            await apply_contact_events(store, events)

        return runtime.event_consumer(handle)

    worker.consume(HR_PEOPLE.name, contacts_consumer)
    return worker


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
