"""One channel's delivery of one item, guarded by the ledger: own it, send it, record it.

``own_ledger`` inserts each job's ledger document before anything is sent; where one
exists already, the delivery was done (skip), is a retry now due (take it over with a
compare-and-swap), or was interrupted by a crash (take it over once; a second
interruption gives up). ``send_all`` sends concurrently and records each attempt with
its outcome event staged for the outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pymongo.errors import BulkWriteError

from services.notifications import ledger as L
from services.notifications.domain import (
    Channel,
    ConnectionFailed,
    GiveUp,
    PlannedNotification,
    RetryAt,
    next_attempt,
)
from services.notifications.senders import Outgoing, Senders, SendFailed, Undeliverable
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore, to_ms
from shared.logging import get_logger
from shared.mongo import Document

if TYPE_CHECKING:
    from services.notifications.dispatcher import DispatchResult

log = get_logger(__name__)

DUPLICATE_KEY = 11000


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


async def insert_ignoring_duplicates(store: NotificationsStore, docs: list[Document]) -> set[str]:
    """Insert; returns the ids that already existed."""
    try:
        await store.deliveries.insert_many(docs, ordered=False)
        return set()
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return {docs[e["index"]]["_id"] for e in errors}


async def own_ledger(
    store: NotificationsStore,
    jobs: list[DeliveryJob],
    *,
    now: datetime,
    settings: NotificationsSettings,
    result: DispatchResult,
) -> list[DeliveryJob]:
    """Insert each job's ledger document; decide what to do where one already exists."""
    if not jobs:
        return []
    existing_ids = await insert_ignoring_duplicates(store, [j.ledger for j in jobs])
    runnable = [j for j in jobs if j.ledger["_id"] not in existing_ids]
    if not existing_ids:
        return runnable
    existing = await store.by_ids("deliveries", existing_ids)
    now_ms = to_ms(now)
    for job in jobs:
        doc = existing.get(job.ledger["_id"])
        if doc is None:
            continue
        if doc["status"] in L.FINAL:
            job.status = doc["status"]
            result.already_done += 1
            continue
        if doc["status"] == L.RETRYING and (doc.get("next_ms") or 0) > now_ms:
            job.status, job.next_ms = L.RETRYING, doc["next_ms"]
            continue
        if doc["status"] == L.SENDING and doc.get("crash_retried"):
            # Interrupted twice: give up rather than risk sending it a third time.
            failed = L.record_attempt(
                doc,
                status=L.FAILED,
                now=now,
                outcome="interrupted",
                reason="interrupted_during_send",
            )
            failed = L.with_event(
                failed,
                L.failed_event(failed, "interrupted_during_send", permanent=True),
                settings=settings,
                now=now,
                suffix="failed",
            )
            failed["version"] = doc["version"] + 1
            done = await store.deliveries.replace_one(
                {"_id": doc["_id"], "version": doc["version"]}, failed
            )
            job.status = L.FAILED if done.matched_count else ""
            continue
        interrupted = doc["status"] == L.SENDING
        if interrupted:
            doc = L.record_attempt(
                doc,
                status=L.SENDING,
                now=now,
                outcome="interrupted",
                reason="interrupted_during_send",
            )
        taken = {
            **doc,
            "status": L.SENDING,
            "attempt": doc["attempt"] + 1,
            "crash_retried": doc.get("crash_retried", False) or interrupted,
            "owner": job.ledger["owner"],
            "version": doc["version"] + 1,
        }
        done = await store.deliveries.replace_one(
            {"_id": doc["_id"], "version": doc["version"]}, taken
        )
        if done.matched_count:
            job.ledger = taken
            runnable.append(job)
    return runnable


async def send_all(
    jobs: list[DeliveryJob],
    senders: Senders,
    *,
    settings: NotificationsSettings,
    now: datetime,
    random: Callable[[], float],
) -> None:
    gate = asyncio.Semaphore(settings.dispatch_concurrency)
    policy = settings.retry_policy()

    async def one(job: DeliveryJob) -> None:
        assert job.outgoing is not None
        async with gate:
            deadline = job.planned.deadline
            try:
                if deadline is not None and now >= deadline:
                    raise Undeliverable(f"deadline_passed:{job.planned.deadline_reason}")
                sender = senders.get(job.channel)
                if sender is None:
                    raise Undeliverable(f"channel_not_configured:{job.channel}")
                await sender.send(job.outgoing)
            except Undeliverable as exc:
                _fail(job, exc.reason, permanent=True, now=now, settings=settings)
                return
            except SendFailed as exc:
                failure = exc.failure
            except Exception as exc:  # an adapter bug must not lose the item: retry it
                log.warning("sender_error", channel=str(job.channel), error=repr(exc))
                failure = ConnectionFailed()
            else:
                sent = L.record_attempt(job.ledger, status=L.SENT, now=now, outcome="sent")
                job.ledger = L.with_event(
                    sent, L.sent_event(sent), settings=settings, now=now, suffix="sent"
                )
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
                _fail(
                    job, decision.reason, permanent=decision.permanent, now=now, settings=settings
                )

    await asyncio.gather(*(one(job) for job in jobs))
    for job in jobs:
        job.ledger = {**job.ledger, "version": job.ledger["version"] + 1}


def _fail(
    job: DeliveryJob,
    reason: str,
    *,
    permanent: bool,
    now: datetime,
    settings: NotificationsSettings,
) -> None:
    failed = L.record_attempt(job.ledger, status=L.FAILED, now=now, outcome="failed", reason=reason)
    job.ledger = L.with_event(
        failed,
        L.failed_event(failed, reason, permanent=permanent),
        settings=settings,
        now=now,
        suffix="failed",
    )
    job.status = L.FAILED
