"""Incoming events and timers: the handlers of the notifier's table (``bootstrap.py``).
Each translates events (or a tick) into service calls, as a route does for HTTP; the
events become domain facts in ``incoming_facts``."""

from __future__ import annotations

from collections.abc import Sequence

from services.notifications import periodic, safety_alerts
from services.notifications.dispatcher import dispatch_due
from services.notifications.planner import queue_writes, write_queue
from services.notifications.projections import apply_contact_events, tracking_writes
from services.notifications.senders import Senders, build_senders
from services.notifications.unit_of_work import Work
from shared.contracts.registry import ParsedEvent
from shared.logging import get_logger
from shared.service import replay_safe
from shared.side_by_side import side_by_side
from shared.unit_of_work import utc_now

log = get_logger(__name__)

#: Passes per timer tick at most, so one tick never runs unbounded.
MAX_PASSES_PER_TICK = 20


@replay_safe
async def on_people_events(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Upserted, departed or erased: the contact directory (newest fact wins, erasure is
    final: a replay changes nothing)."""
    await apply_contact_events(uow, events)


async def plan(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Matches, sessions and programs events: plans in the due-queue (a mixed batch at
    once, in a handful of round trips), and the relationships, weekly schedules and
    admin flags. Both read and work out their writes side by side, then write side by
    side: an event that cannot be planned (dead-lettered) has changed nothing, and a
    batch whose write fails is retried whole, which both survive (keys; replay-safe
    tracking). Planning reads the relationships as the batch found them."""
    queued, tracked = await side_by_side(queue_writes(uow, events), tracking_writes(uow, events))
    await side_by_side(write_queue(uow, queued), uow.store.write_tracking(tracked))


async def plan_and_alert_admins(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Programs and sessions events: planned as ``plan`` does, then the safety alerts
    (a concern reported, a low pulse) for the programs' admins, whom ``plan`` keeps."""
    await plan(uow, events)
    await safety_alerts.alert_admins(uow, events)


class DispatchDue:
    """Timer: deliver what has fallen due, a bounded number of passes per tick. The
    senders (HTTP clients, SMTP) are built on the first tick and kept. Each pass is
    at its own ``now`` (a pass can take a while) and publishes its events at once."""

    def __init__(self) -> None:
        self.senders: Senders | None = None

    async def __call__(self, uow: Work) -> int:
        if self.senders is None:
            self.senders = build_senders(uow.settings, uow.store)
        claimed = 0
        for _ in range(MAX_PASSES_PER_TICK):
            uow.now = utc_now()
            result = await dispatch_due(uow, self.senders)
            uow.on_commit()  # deliveries announce themselves: publish each pass's events
            claimed += result.claimed
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
            if result.claimed < uow.settings.dispatch_batch_size:
                break
        return claimed


async def plan_weekly(uow: Work) -> periodic.PeriodicResult | None:
    """Timer: the journal prompts and admin digests whose weekly slot has come."""
    result = await periodic.plan_due(uow)
    return result if result.journal_prompts or result.admin_digests else None
