"""The sessions worker: reacts to the matcher's events and sweeps time-driven changes.

* ``mentoring.programs.v1`` -> the program projection (cadence, feedback sharing, admins);
* ``mentoring.matches.v1`` -> relationships (activated: start; flagged: pause; ended: end);
* ``hr.people.v1`` -> right to erasure (``hr.person.erased``: see ``erasure.py``);
  upserts and departures are ignored (a departure ends the match, which ends the
  relationship through ``mentoring.matches.v1``);
* a timer: overdue action items and relationship health as time passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from services.sessions.bootstrap import build_runtime
from services.sessions.erasure import erase_person
from services.sessions.program_projection import apply_program_events
from services.sessions.relationships import apply_match_events
from services.sessions.settings import SessionsSettings
from services.sessions.store import SessionsStore
from services.sessions.sweeps import sweep_health, sweep_overdue_action_items
from shared.contracts.hr import PersonErased
from shared.contracts.registry import HR_PEOPLE, MATCHES, PROGRAMS, ParsedEvent
from shared.kafka.consumer import EventConsumer
from shared.logging import get_logger
from shared.worker import ServiceWorker

log = get_logger(__name__)


def build_worker(settings: SessionsSettings | None = None) -> ServiceWorker:
    settings = settings or SessionsSettings()
    worker = ServiceWorker(settings, build_runtime(settings, consumes=True))

    async def programs_consumer() -> EventConsumer:
        runtime = await worker.started_runtime()
        store = SessionsStore(runtime.db)

        async def handle(events: Sequence[ParsedEvent]) -> None:
            await apply_program_events(store, events)

        return runtime.event_consumer(handle)

    async def matches_consumer() -> EventConsumer:
        runtime = await worker.started_runtime()
        store = SessionsStore(runtime.db)

        async def handle(events: Sequence[ParsedEvent]) -> None:
            if await apply_match_events(store, events, source=settings.source):
                runtime.nudge_outbox()

        return runtime.event_consumer(handle)

    async def people_consumer() -> EventConsumer:
        runtime = await worker.started_runtime()
        store = SessionsStore(runtime.db)

        async def handle(events: Sequence[ParsedEvent]) -> None:
            erased = [e.data.person_id for e in events if isinstance(e.data, PersonErased)]
            for person_id in dict.fromkeys(erased):
                await erase_person(store, person_id)

        return runtime.event_consumer(handle)

    worker.consume(PROGRAMS.name, programs_consumer)
    worker.consume(MATCHES.name, matches_consumer)
    worker.consume(HR_PEOPLE.name, people_consumer)

    @worker.timer(settings.sweep_interval_s)
    async def sweep() -> None:
        runtime = await worker.started_runtime()
        store = SessionsStore(runtime.db)
        now = datetime.now(UTC)
        try:
            overdue = await sweep_overdue_action_items(store, now=now, source=settings.source)
            health = await sweep_health(store, now=now, source=settings.source)
            runtime.nudge_outbox()
            log.info("sweep_done", overdue=len(overdue), health=health)
        except Exception as exc:  # a timer must never die; the next tick tries again
            log.warning("sweep_failed", error=repr(exc))

    return worker


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
