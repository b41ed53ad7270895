"""The notifier's worker.

* ``hr.people.v1`` -> the contact directory;
* ``mentoring.matches.v1`` and ``sessions.v1`` -> plans in the due-queue, and (with
  ``mentoring.programs.v1``) the weekly schedules and admin flags of ``periodic``;
* a timer -> ``dispatch_due`` delivers what has fallen due;
* a timer -> ``periodic.plan_due`` queues the journal prompts and admin digests whose
  weekly slot has come.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from services.notifications import periodic
from services.notifications.bootstrap import build_runtime
from services.notifications.contacts import apply_contact_events
from services.notifications.dispatcher import dispatch_due
from services.notifications.planner import plan_from_events
from services.notifications.senders import Senders, build_senders
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from shared.contracts.registry import HR_PEOPLE, MATCHES, PROGRAMS, SESSIONS, ParsedEvent
from shared.kafka.consumer import EventConsumer
from shared.logging import get_logger
from shared.runtime import Runtime
from shared.worker import ServiceWorker

log = get_logger(__name__)

#: Passes per timer tick at most, so one tick never runs unbounded.
MAX_PASSES_PER_TICK = 20


def planning_handler(runtime: Runtime, settings: NotificationsSettings):  # type: ignore[no-untyped-def]
    """The batch handler that plans from matches/sessions events (also used by tests)."""
    store = NotificationsStore(runtime.db)
    policy = settings.planning_policy()
    expiry = timedelta(days=settings.default_match_expiry_days)

    async def handle(events: Sequence[ParsedEvent]) -> None:
        await plan_from_events(
            store, events, now=datetime.now(UTC), policy=policy, default_match_expiry=expiry
        )
        await periodic.track(store, events)

    return handle


def build_worker(settings: NotificationsSettings | None = None) -> ServiceWorker:
    settings = settings or NotificationsSettings()
    worker = ServiceWorker(settings, build_runtime(settings, consumes=True))
    senders: dict[str, Senders] = {}

    async def contacts_consumer() -> EventConsumer:
        runtime = await worker.started_runtime()
        store = NotificationsStore(runtime.db)

        async def handle(events: Sequence[ParsedEvent]) -> None:
            await apply_contact_events(store, events)

        return runtime.event_consumer(handle)

    async def planning_consumer() -> EventConsumer:
        runtime = await worker.started_runtime()
        return runtime.event_consumer(planning_handler(runtime, settings))

    worker.consume(HR_PEOPLE.name, contacts_consumer)
    worker.consume(MATCHES.name, planning_consumer)
    worker.consume(SESSIONS.name, planning_consumer)
    worker.consume(PROGRAMS.name, planning_consumer)

    @worker.timer(settings.dispatch_interval_s)
    async def dispatch() -> None:
        runtime = await worker.started_runtime()
        store = NotificationsStore(runtime.db)
        if "all" not in senders:
            senders["all"] = build_senders(settings, store)
        try:
            for _ in range(MAX_PASSES_PER_TICK):
                result = await dispatch_due(
                    store, senders["all"], settings=settings, now=datetime.now(UTC)
                )
                runtime.nudge_outbox()
                if result.claimed:
                    log.info(
                        "dispatch_pass",
                        claimed=result.claimed,
                        sent=result.sent,
                        retrying=result.retrying,
                        failed=result.failed,
                        suppressed=result.suppressed,
                        deferred=result.deferred,
                    )
                if result.claimed < settings.dispatch_batch_size:
                    break
        except Exception as exc:  # a timer must never die; the next tick tries again
            log.warning("dispatch_failed", error=repr(exc))

    @worker.timer(settings.periodic_interval_s)
    async def plan_periodic() -> None:
        runtime = await worker.started_runtime()
        try:
            result = await periodic.plan_due(
                NotificationsStore(runtime.db),
                now=datetime.now(UTC),
                policy=settings.planning_policy(),
            )
            if result.journal_prompts or result.admin_digests:
                log.info(
                    "periodic_planned",
                    journal_prompts=result.journal_prompts,
                    admin_digests=result.admin_digests,
                )
        except Exception as exc:  # as above: the next tick tries again
            log.warning("periodic_planning_failed", error=repr(exc))

    return worker


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
