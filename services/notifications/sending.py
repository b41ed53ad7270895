"""One channel's delivery of one item, guarded by the ledger: decide, send, record.

The queue item's lease is what keeps two workers from sending the same item, and its
``interrupted`` count is what says a send may have been cut off; so the ledger is
written once per attempt, *after* the send, with the outcome and its event
(``record_outcomes``, group-committed while the other sends go on). Before sending,
``prepare_jobs`` reads the ledger entries that already exist: a settled one is never
sent again (the de-duplication by key), a retry not yet due waits, and an interrupted
delivery is retried once, then given up.

The guarantee per channel, honestly: e-mail and webhooks are at-least-once (an
interrupted send is retried once, with the same delivery key as ``Idempotency-Key``, so
a receiver can drop the second copy). Slack and Teams are at-most-once
(``AT_MOST_ONCE``): their incoming webhooks de-duplicate nothing, so a send cut off
between the post and the ledger write is given up, never posted again; the message
carries the delivery key (Slack metadata, Teams activity id) to tell a post apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opentelemetry.trace import SpanKind

from services.notifications import ledger as L
from services.notifications.domain.model import Channel, PlannedNotification
from services.notifications.domain.retry import (
    ConnectionFailed,
    GiveUp,
    RetryAt,
    RetryPolicy,
    next_attempt,
)
from services.notifications.senders import Outgoing, Senders, SendFailed, Undeliverable
from services.notifications.store import to_ms
from services.notifications.unit_of_work import Work
from shared.logging import get_logger
from shared.mongo import Document
from shared.tracing import following

if TYPE_CHECKING:
    from services.notifications.dispatcher import DispatchResult

log = get_logger(__name__)

INTERRUPTED = "interrupted_during_send"
#: Channels whose receivers cannot drop a second copy: an interrupted send is not retried.
AT_MOST_ONCE = frozenset({Channel.SLACK, Channel.TEAMS})


@dataclass
class DeliveryJob:
    """One channel's delivery of one claimed item."""

    item: Document
    planned: PlannedNotification
    channel: Channel
    ledger: Document
    outgoing: Outgoing | None = None
    status: str = ""
    next_ms: int | None = None
    #: The ledger document's version in the database; ``None`` until one is stored.
    stored_version: int | None = None


async def prepare_jobs(
    uow: Work,
    jobs: list[DeliveryJob],
    *,
    taken_over: Collection[str],
    result: DispatchResult,
) -> tuple[list[DeliveryJob], list[DeliveryJob]]:
    """Decide each job from its existing ledger entry (one read for the batch).

    Returns (to send, to record without sending: the interrupted deliveries given up).
    """
    if not jobs:
        return [], []
    existing = await uow.store.ledger_entries([j.ledger["_id"] for j in jobs])
    now = uow.now
    now_ms = to_ms(now)
    runnable: list[DeliveryJob] = []
    given_up: list[DeliveryJob] = []
    for job in jobs:
        doc = existing.get(job.ledger["_id"])
        interrupted = job.item["_id"] in taken_over
        owner = job.ledger["owner"]
        if doc is None:
            base = job.ledger
        elif doc["status"] in L.FINAL:
            job.status = doc["status"]
            result.already_done += 1
            continue
        elif doc["status"] == L.RETRYING and (doc.get("next_ms") or 0) > now_ms:
            job.status, job.next_ms = L.RETRYING, doc["next_ms"]
            continue
        elif doc["status"] == L.SENDING:
            # Written by an older dispatcher before its send: that send was cut off.
            interrupted = True
            base = {**doc, "owner": owner}
        else:
            base = {**doc, "status": L.SENDING, "attempt": doc["attempt"] + 1, "owner": owner}
        if doc is not None:
            job.stored_version = doc["version"]
        if interrupted:
            if (
                base.get("crash_retried")
                or job.item.get("interrupted", 0) >= 2
                or job.channel in AT_MOST_ONCE
            ):
                # Interrupted twice (or once, in chat): give up rather than post again.
                _fail(uow, job, INTERRUPTED, permanent=True, base=base)
                given_up.append(job)
                continue
            base = L.record_attempt(
                base, status=L.SENDING, now=now, outcome="interrupted", reason=INTERRUPTED
            )
            base = {**base, "attempt": base["attempt"] + 1, "crash_retried": True}
        job.ledger = base
        runnable.append(job)
    return runnable, given_up


async def record_outcomes(uow: Work, jobs: list[DeliveryJob]) -> None:
    """Store each job's ledger document: insert a new one, compare-and-swap an existing
    one. Someone else's write in between (a takeover racing a stalled worker) wins if it
    settled the delivery; otherwise ours replaces it."""
    inserts = [j for j in jobs if j.stored_version is None]
    replaces = [j for j in jobs if j.stored_version is not None]
    for job in replaces:
        job.ledger = {**job.ledger, "version": (job.stored_version or 0) + 1}
    contested: list[DeliveryJob] = []
    if inserts:
        taken = await uow.store.insert_ledger_entries([j.ledger for j in inserts])
        contested += [j for j in inserts if j.ledger["_id"] in taken]
    if replaces:
        pairs = [(j.ledger, j.stored_version) for j in replaces]
        if await uow.store.replace_ledger_entries(pairs) < len(replaces):
            contested += replaces
    if contested:
        await _settle_contested(uow, contested)


async def _settle_contested(uow: Work, jobs: list[DeliveryJob]) -> None:
    current = await uow.store.ledger_entries([j.ledger["_id"] for j in jobs])
    for job in jobs:
        doc = current.get(job.ledger["_id"])
        if doc is None:
            continue  # erased meanwhile
        if doc.get("owner") == job.ledger["owner"] and doc["version"] == job.ledger["version"]:
            continue  # ours landed
        if doc["status"] in L.FINAL:
            job.status, job.next_ms = doc["status"], None
            continue
        mine = {**job.ledger, "version": doc["version"] + 1}
        if await uow.store.replace_ledger_entry(mine, version=doc["version"]):
            job.ledger = mine
        else:
            log.warning("ledger_contested", delivery_id=doc["_id"])


def delivering(job: DeliveryJob) -> AbstractContextManager[object]:
    """The span of one channel's send, in the trace the item was planned in: the trace
    that began with an HTTP request or an HR event ends at the notification it caused."""
    planned_in = [(job.item.get("traceparent"), job.item.get("tracestate"))]
    attributes = {
        "notification.channel": str(job.channel),
        "notification.type": str(job.planned.type),
    }
    return following(f"deliver {job.planned.type}", SpanKind.PRODUCER, planned_in, attributes)


async def send_all(
    uow: Work, jobs: list[DeliveryJob], senders: Senders, *, random: Callable[[], float]
) -> None:
    """Send concurrently; each job keeps its slot until its outcome is in the ledger, so
    a crash can leave at most ``dispatch_concurrency`` sends done but unrecorded (the
    ones retried once after it). Outcomes are written in groups (``_GroupRecorder``).
    """
    settings = uow.settings
    gate = asyncio.Semaphore(settings.dispatch_concurrency)
    policy = settings.retry_policy()
    recorder = _GroupRecorder(uow, size=settings.dispatch_concurrency // 2, jobs=len(jobs))

    async def one(job: DeliveryJob) -> None:
        async with gate:
            try:
                await _attempt(uow, job, senders, policy=policy, random=random)
            except Exception:
                await recorder.record(None)  # the others must not wait for it
                raise
            await recorder.record(job)

    await asyncio.gather(*(one(job) for job in jobs))


async def _attempt(
    uow: Work,
    job: DeliveryJob,
    senders: Senders,
    *,
    policy: RetryPolicy,
    random: Callable[[], float],
) -> None:
    """Send one job and put its outcome on its ledger document (sent, retry, failed)."""
    now = uow.now
    assert job.outgoing is not None
    deadline = job.planned.deadline
    try:
        if deadline is not None and now >= deadline:
            raise Undeliverable(f"deadline_passed:{job.planned.deadline_reason}")
        sender = senders.get(job.channel)
        if sender is None:
            raise Undeliverable(f"channel_not_configured:{job.channel}")
        with delivering(job):
            await sender.send(job.outgoing)
    except Undeliverable as exc:
        _fail(uow, job, exc.reason, permanent=True)
        return
    except SendFailed as exc:
        failure = exc.failure
    except Exception as exc:  # an adapter bug must not lose the item: retry it
        log.warning("sender_error", channel=str(job.channel), error=repr(exc))
        failure = ConnectionFailed()
    else:
        sent = L.record_attempt(job.ledger, status=L.SENT, now=now, outcome="sent")
        job.ledger = L.with_event(uow, sent, L.sent_event(sent), suffix="sent")
        job.status = L.SENT
        return
    decision = next_attempt(
        failure, attempts_made=job.ledger["attempt"], now=now, policy=policy, random=random
    )
    if isinstance(decision, RetryAt):
        job.next_ms = to_ms(decision.at)
        job.ledger = L.record_attempt(
            job.ledger,
            status=L.RETRYING,
            now=now,
            outcome="retry",
            reason=decision.reason,
            next_ms=job.next_ms,
        )
        job.status = L.RETRYING
    else:
        assert isinstance(decision, GiveUp)
        _fail(uow, job, decision.reason, permanent=decision.permanent)


class _GroupRecorder:
    """Group commit of outcomes: a group is written once half the concurrency slots are
    waiting on it, or when no other job is still sending (so every job gets written)."""

    def __init__(self, uow: Work, *, size: int, jobs: int) -> None:
        self.uow = uow
        self.size = max(1, size)
        self.unfinished = jobs
        self.waiting: list[DeliveryJob] = []
        self.written = asyncio.get_running_loop().create_future()
        self.lock = asyncio.Lock()

    async def record(self, job: DeliveryJob | None) -> None:
        """Wait until ``job``'s outcome is written (``None``: a job that has none)."""
        if job is not None:
            self.waiting.append(job)
        self.unfinished -= 1
        written = self.written
        if not self.waiting:
            return
        if len(self.waiting) < self.size and self.unfinished > 0:
            await asyncio.shield(written)
            return
        group, self.waiting = self.waiting, []
        self.written = asyncio.get_running_loop().create_future()
        async with self.lock:
            try:
                await record_outcomes(self.uow, group)
            except Exception as exc:
                written.set_exception(exc)
                raise
            written.set_result(None)


def _fail(
    uow: Work, job: DeliveryJob, reason: str, *, permanent: bool, base: Document | None = None
) -> None:
    outcome = "interrupted" if reason == INTERRUPTED else "failed"
    failed = L.record_attempt(
        base or job.ledger, status=L.FAILED, now=uow.now, outcome=outcome, reason=reason
    )
    event = L.failed_event(failed, reason, permanent=permanent)
    job.ledger = L.with_event(uow, failed, event, suffix="failed")
    job.status = L.FAILED
