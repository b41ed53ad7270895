"""The matcher's worker: the people projection, HR-change re-checks, proposal expiry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from services.matcher.bootstrap import build_runtime
from services.matcher.erasure import erase_person
from services.matcher.hr_projection import apply_hr_events
from services.matcher.matches import expire_proposals, react_to_hr_changes
from services.matcher.settings import MatcherSettings
from services.matcher.store import MatcherStore
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import HR_PEOPLE, ParsedEvent
from shared.kafka.consumer import EventConsumer
from shared.logging import get_logger
from shared.worker import ServiceWorker

log = get_logger(__name__)

EXPIRY_SWEEP_S = 30.0


def build_worker(settings: MatcherSettings | None = None) -> ServiceWorker:
    settings = settings or MatcherSettings()
    worker = ServiceWorker(settings, build_runtime(settings, consumes=True))

    async def people_consumer() -> EventConsumer:
        runtime = await worker.started_runtime()
        store = MatcherStore(runtime.db)

        async def handle(events: Sequence[ParsedEvent]) -> None:
            def ids(kind: type) -> list[str]:
                return [getattr(e.data, "person_id") for e in events if isinstance(e.data, kind)]  # noqa: B009

            await apply_hr_events(store, events)
            erased = ids(PersonErased)
            await react_to_hr_changes(
                store,
                changed_ids=ids(PersonUpserted),
                departed_ids=ids(PersonDeparted) + erased,  # an erased person's matches end
                source=settings.source,
                now=datetime.now(UTC),
            )
            for person_id in erased:
                await erase_person(store, person_id)
            runtime.nudge_outbox()

        return runtime.event_consumer(handle)

    worker.consume(HR_PEOPLE.name, people_consumer)

    @worker.timer(EXPIRY_SWEEP_S)
    async def expire_unanswered_proposals() -> None:
        runtime = await worker.started_runtime()
        try:
            expired = await expire_proposals(
                MatcherStore(runtime.db), source=settings.source, now=datetime.now(UTC)
            )
        except Exception as exc:  # a failing sweep must not stop the worker
            log.warning("proposal_expiry_failed", error=repr(exc))
            return
        if expired:
            log.info("proposals_expired", count=expired)
            runtime.nudge_outbox()

    return worker


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
