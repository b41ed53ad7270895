"""The dispatcher: claim due items, resolve, send once per channel, record, retry.

``dispatch_due(store, senders, settings=..., now=..., limit=...)`` is one pass, called
by the worker's timer (tests call it with an injected ``now``):

1. Claim up to ``limit`` pending items due at ``now`` with a lease (compare-and-swap
   on ``lease_ms``; an expired lease can be taken over, which is how a crashed
   worker's items come back).
2. Resolve each with the person's preferences: suppress, defer (quiet hours), hold
   for the daily digest, or deliver now over the chosen channels.
3. Per channel, insert the ledger document ``delivery_key(key, channel)`` *before*
   sending: a duplicate key means someone already sent it (skip), a retry is due
   (take it), or a send was interrupted by a crash (retry once, then give up).
4. Send concurrently; record the attempt; stage ``notifications.deliveries.v1``
   events on the ledger document (outbox); release the queue item as done, or
   pending at the retry time.
"""

from __future__ import annotations

import random as _random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import ReplaceOne, UpdateOne

from services.notifications import ledger as L
from services.notifications.delivery import (
    DeliveryJob,
    insert_ignoring_duplicates,
    own_ledger,
    send_all,
)
from services.notifications.digests import hold_for_digest, release_digests
from services.notifications.domain import (
    AddToDigest,
    Channel,
    Deliver,
    PlannedNotification,
    Suppress,
    delivery_key,
    resolve_delivery,
)
from services.notifications.messages import counterpart_ids, recipient, render
from services.notifications.preferences import preferences_for, to_domain
from services.notifications.queue import (
    DONE,
    FAILED,
    NEVER_MS,
    PENDING,
    SUPPRESSED,
    planned_from_doc,
)
from services.notifications.senders import Outgoing, Senders
from services.notifications.senders.calendar import meeting_calendar
from services.notifications.settings import NotificationsSettings
from services.notifications.store import CONTACTS, NotificationsStore, to_ms
from shared.logging import get_logger
from shared.mongo import Document

log = get_logger(__name__)

DUPLICATE_KEY = 11000


@dataclass
class DispatchResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0
    deferred: int = 0
    digested: int = 0
    already_done: int = 0
    outcomes: list[tuple[str, str]] = field(default_factory=list)


async def dispatch_due(
    store: NotificationsStore,
    senders: Senders,
    *,
    settings: NotificationsSettings,
    now: datetime,
    limit: int | None = None,
    owner: str | None = None,
    random: Callable[[], float] = _random.random,
) -> DispatchResult:
    """One pass over what is due at ``now``; returns what happened."""
    result = DispatchResult()
    owner = owner or uuid.uuid4().hex
    now_ms = to_ms(now)
    await release_digests(store, now=now)
    candidates = await store.due_candidates(
        now_ms=now_ms, limit=limit or settings.dispatch_batch_size
    )
    items = await _claim(store, candidates, now_ms=now_ms, owner=owner, settings=settings)
    result.claimed = len(items)
    if not items:
        return result

    people = {d["recipient_id"] for d in items} | {i for d in items for i in counterpart_ids(d)}
    people |= {d["extra"]["organiser_id"] for d in items if d.get("extra", {}).get("organiser_id")}
    contacts = await store.by_ids(CONTACTS, people)
    prefs = await preferences_for(store, [d["recipient_id"] for d in items], contacts)

    jobs: list[DeliveryJob] = []
    queue_writes: list[UpdateOne] = []
    suppressed_docs: list[Document] = []
    domain_prefs: dict[str, Any] = {}
    for item in items:
        planned = planned_from_doc(item)
        person = prefs[item["recipient_id"]]
        contact = contacts.get(item["recipient_id"])
        channels = item.get("channels")
        if channels is None:
            if contact is not None and contact.get("active") is False:
                decision: Any = Suppress("recipient_inactive")  # type: ignore[arg-type]
            else:
                if item["recipient_id"] not in domain_prefs:
                    domain_prefs[item["recipient_id"]] = to_domain(person)
                decision = resolve_delivery(planned, domain_prefs[item["recipient_id"]], now=now)
            if isinstance(decision, Suppress):
                reason = str(decision.reason)
                suppressed_docs.append(_suppressed_doc(planned, reason, settings, now, owner))
                queue_writes.append(_release(item, owner, state=SUPPRESSED, reason=reason))
                result.suppressed += 1
                continue
            if isinstance(decision, AddToDigest):
                queue_writes.append(hold_for_digest(item, owner, decision.digest_at))
                result.digested += 1
                continue
            assert isinstance(decision, Deliver)
            if decision.at > now:
                queue_writes.append(_release(item, owner, state=PENDING, due_ms=to_ms(decision.at)))
                result.deferred += 1
                continue
            channels = [str(c) for c in decision.channels]
            item["channels"] = channels
        reach = recipient(item["recipient_id"], contact, person)
        message = render(
            item,
            planned,
            time_zone=person["time_zone"],
            contacts=contacts,
            base_url=settings.app_base_url,
        )
        organiser = contacts.get((item.get("extra") or {}).get("organiser_id") or "")
        calendar = meeting_calendar(
            planned, organiser_email=(organiser or {}).get("email"), now=now
        )
        for name in channels:
            channel = Channel(name)
            key = delivery_key(planned.key, channel)
            job = DeliveryJob(
                item,
                planned,
                channel,
                L.new_ledger_doc(planned, key, channel, now=now, owner=owner),
            )
            job.outgoing = Outgoing(planned, key, message, reach, now, calendar)
            jobs.append(job)

    if suppressed_docs:
        await insert_ignoring_duplicates(store, suppressed_docs)
    runnable = await own_ledger(store, jobs, now=now, settings=settings, result=result)
    await send_all(runnable, senders, settings=settings, now=now, random=random)
    ledger_writes = [
        ReplaceOne({"_id": j.ledger["_id"], "version": j.ledger["version"] - 1}, j.ledger)
        for j in runnable
    ]
    for job in runnable:
        result.outcomes.append((job.ledger["_id"], job.status))
        if job.status == L.SENT:
            result.sent += 1
        elif job.status == L.RETRYING:
            result.retrying += 1
        else:
            result.failed += 1
    if ledger_writes:
        await store.deliveries.bulk_write(ledger_writes, ordered=False)
    queue_writes += _release_delivered(jobs, owner)
    if queue_writes:
        await store.queue.bulk_write(queue_writes, ordered=False)
    return result


async def _claim(
    store: NotificationsStore,
    candidates: Sequence[Document],
    *,
    now_ms: int,
    owner: str,
    settings: NotificationsSettings,
) -> list[Document]:
    """Take a lease on each candidate unless someone else took it first."""
    if not candidates:
        return []
    lease_until = now_ms + int(settings.lease_s * 1000)
    ids = [d["_id"] for d in candidates]
    # Per document atomic: a document whose lease another claimer just took no longer
    # matches ``lease_ms <= now`` and is left alone.
    claimed = await store.queue.update_many(
        {"_id": {"$in": ids}, "state": PENDING, "lease_ms": {"$lte": now_ms}},
        {"$set": {"lease_ms": lease_until, "lease_owner": owner}},
    )
    if claimed.modified_count == len(ids):
        mine = set(ids)  # nobody else took any of them
    else:
        owned = await store.queue.find(
            {"_id": {"$in": ids}, "lease_owner": owner}, projection={"_id": 1}
        ).to_list()
        mine = {d["_id"] for d in owned}
    return [
        {**d, "lease_ms": lease_until, "lease_owner": owner} for d in candidates if d["_id"] in mine
    ]


def _suppressed_doc(
    planned: PlannedNotification,
    reason: str,
    settings: NotificationsSettings,
    now: datetime,
    owner: str,
) -> Document:
    doc = L.new_ledger_doc(planned, f"{planned.key}:suppressed", "none", now=now, owner=owner)
    doc = L.record_attempt(doc, status=L.SUPPRESSED, now=now, outcome="suppressed", reason=reason)
    return L.with_event(
        doc, L.suppressed_event(doc, reason), settings=settings, now=now, suffix="suppressed"
    )


def _release(
    item: Document,
    owner: str,
    *,
    state: str,
    due_ms: int | None = None,
    reason: str | None = None,
    channels: list[str] | None = None,
) -> UpdateOne:
    fields: dict[str, Any] = {"state": state, "lease_ms": 0, "lease_owner": None}
    if state != PENDING:
        fields["due_ms"] = NEVER_MS
    elif due_ms is not None:
        fields["due_ms"] = due_ms
    if reason is not None:
        fields["reason"] = reason
    if channels is not None:
        fields["channels"] = channels
    return UpdateOne({"_id": item["_id"], "lease_owner": owner}, {"$set": fields})


def _release_delivered(jobs: list[DeliveryJob], owner: str) -> list[UpdateOne]:
    """Per item: pending at the earliest retry if a channel must retry, else done/failed."""
    by_item: dict[str, list[DeliveryJob]] = {}
    for job in jobs:
        by_item.setdefault(job.item["_id"], []).append(job)
    writes = []
    for item_jobs in by_item.values():
        item = item_jobs[0].item
        retries = [j.next_ms for j in item_jobs if j.status == L.RETRYING and j.next_ms is not None]
        unsettled = [j for j in item_jobs if j.status == ""]
        if retries:
            writes.append(
                _release(item, owner, state=PENDING, due_ms=min(retries), channels=item["channels"])
            )
        elif unsettled:
            # Someone else holds a ledger entry (lost a race): leave the lease to expire.
            continue
        elif all(j.status == L.FAILED for j in item_jobs):
            writes.append(_release(item, owner, state=FAILED, channels=item["channels"]))
        else:
            writes.append(_release(item, owner, state=DONE, channels=item["channels"]))
    return writes
