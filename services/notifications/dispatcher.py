"""The dispatcher: claim due items, resolve, send once per channel, record, retry.

``dispatch_due(uow, senders, limit=...)`` is one pass at ``uow.now``, called by the
worker's timer (tests give their unit of work the ``now`` they want):

1. Claim up to ``limit`` pending items due at ``now`` with a lease (``store_queue``: one
   compare-and-swap round trip; an expired lease is taken over, which is how a
   crashed worker's items come back, counted as interrupted).
2. Resolve each with the person's preferences (``_resolve``; per item ``_decide``):
   suppress, defer (quiet hours), hold for the daily digest, or deliver now over the
   chosen channels (``_delivery_jobs``: one job per channel).
3. Per channel, read the ledger entry ``delivery_key(key, channel)`` if there is one:
   settled means skip, a retry not yet due waits, an interrupted send is retried once
   and then given up (``sending.prepare_jobs``).
4. Send concurrently; write each ledger document once with the attempt and its
   ``notifications.deliveries.v1`` event (outbox), in groups as sends complete (a send
   holds its concurrency slot until recorded); then, in one round trip, delete the
   settled queue items (the ledger is their record) and put the rest back pending at
   their retry time.

A delivered item costs three document writes (claim, ledger insert, queue delete) and
two reads (the due-queue and the ledger, which finds nothing on a first attempt).
"""

from __future__ import annotations

import random as _random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.notifications import ledger as L
from services.notifications import mapping
from services.notifications.digests import hold_for_digest, release_digests
from services.notifications.domain.dedupe import delivery_key
from services.notifications.domain.model import Channel, PlannedNotification, SuppressionReason
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.resolution import (
    AddToDigest,
    Deliver,
    DeliveryDecision,
    Suppress,
    resolve_delivery,
)
from services.notifications.messages import counterpart_ids, recipient, render
from services.notifications.preferences import preferences_for
from services.notifications.senders import Outgoing, Senders
from services.notifications.senders.calendar import meeting_calendar
from services.notifications.sending import DeliveryJob, prepare_jobs, record_outcomes, send_all
from services.notifications.store import to_ms
from services.notifications.store_queue import release
from services.notifications.unit_of_work import Work
from shared.logging import get_logger
from shared.metrics import NOTIFICATION_DELIVERIES, NOTIFICATION_LAG
from shared.mongo import Document

log = get_logger(__name__)


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


@dataclass
class _Pass:
    """What one pass decided for its claimed items, before sending."""

    owner: str
    contacts: dict[str, Document]
    preferences: dict[str, Document]
    jobs: list[DeliveryJob] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)
    returned: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)
    suppressed: list[Document] = field(default_factory=list)
    domain_preferences: dict[str, Preferences] = field(default_factory=dict)


async def dispatch_due(
    uow: Work,
    senders: Senders,
    *,
    limit: int | None = None,
    owner: str | None = None,
    random: Callable[[], float] = _random.random,
) -> DispatchResult:
    """One pass over what is due at ``uow.now``; returns what happened."""
    result = DispatchResult()
    owner = owner or uuid.uuid4().hex
    now_ms = to_ms(uow.now)
    await release_digests(uow)
    candidates = await uow.store.due_candidates(
        now_ms=now_ms, limit=limit or uow.settings.dispatch_batch_size
    )
    lease_ms = int(uow.settings.lease_s * 1000)
    items, taken_over = await uow.store.claim(
        candidates, now_ms=now_ms, owner=owner, lease_ms=lease_ms
    )
    result.claimed = len(items)
    if not items:
        return result
    pass_ = await _resolve(uow, items, owner=owner, result=result)
    if pass_.suppressed:
        await uow.store.insert_ledger_entries(pass_.suppressed)
    runnable, given_up = await prepare_jobs(uow, pass_.jobs, taken_over=taken_over, result=result)
    await record_outcomes(uow, given_up)
    await send_all(uow, runnable, senders, random=random)
    _count_outcomes([*runnable, *given_up], result, uow.now)
    _release_delivered(pass_.jobs, pass_.settled, pass_.returned)
    await uow.store.release_all(
        owner=owner, settled=pass_.settled, returned=pass_.returned, held=pass_.held
    )
    return result


async def _resolve(
    uow: Work, items: list[Document], *, owner: str, result: DispatchResult
) -> _Pass:
    """Decide every claimed item: suppressed, held for the digest, deferred, or one
    delivery job per channel (the contacts and preferences read once for the pass)."""
    people = {d["recipient_id"] for d in items} | {i for d in items for i in counterpart_ids(d)}
    people |= {d["extra"]["organiser_id"] for d in items if d.get("extra", {}).get("organiser_id")}
    contacts = await uow.store.contacts_of(people)
    prefs = await preferences_for(uow.store, [d["recipient_id"] for d in items], contacts)
    pass_ = _Pass(owner=owner, contacts=contacts, preferences=prefs)
    for item in items:
        planned = mapping.planned_from_doc(item)
        channels = item.get("channels")
        if channels is None:
            decision = _decide(uow, pass_, item, planned)
            channels = _apply_decision(uow, pass_, item, planned, decision, result)
            if channels is None:
                continue
            item["channels"] = channels
        pass_.jobs += _delivery_jobs(uow, pass_, item, planned, channels)
    return pass_


def _decide(
    uow: Work, pass_: _Pass, item: Document, planned: PlannedNotification
) -> DeliveryDecision:
    """The person's current preferences decide (an inactive contact gets nothing)."""
    person_id = item["recipient_id"]
    contact = pass_.contacts.get(person_id)
    if contact is not None and contact.get("active") is False:
        return Suppress(SuppressionReason.RECIPIENT_INACTIVE)
    if person_id not in pass_.domain_preferences:
        pass_.domain_preferences[person_id] = mapping.preferences(pass_.preferences[person_id])
    return resolve_delivery(planned, pass_.domain_preferences[person_id], now=uow.now)


def _apply_decision(
    uow: Work,
    pass_: _Pass,
    item: Document,
    planned: PlannedNotification,
    decision: DeliveryDecision,
    result: DispatchResult,
) -> list[str] | None:
    """The channels to send over now, or None when the item is settled or put back."""
    if isinstance(decision, Suppress):
        pass_.suppressed.append(_suppressed_doc(uow, planned, str(decision.reason), pass_.owner))
        pass_.settled.append(item["_id"])
        result.suppressed += 1
        count_delivery("none", planned, L.SUPPRESSED, uow.now)
        return None
    if isinstance(decision, AddToDigest):
        item_id, digest_ms = hold_for_digest(item, decision.digest_at)
        pass_.held[item_id] = digest_ms
        result.digested += 1
        return None
    assert isinstance(decision, Deliver)
    if decision.at > uow.now:
        pass_.returned.append(release(item, due_ms=to_ms(decision.at)))
        result.deferred += 1
        return None
    return [str(c) for c in decision.channels]


def _delivery_jobs(
    uow: Work, pass_: _Pass, item: Document, planned: PlannedNotification, channels: list[str]
) -> list[DeliveryJob]:
    """One job per channel, with the message rendered once for the item."""
    now, contacts = uow.now, pass_.contacts
    person = pass_.preferences[item["recipient_id"]]
    reach = recipient(item["recipient_id"], contacts.get(item["recipient_id"]), person)
    message = render(
        item,
        planned,
        time_zone=person["time_zone"],
        contacts=contacts,
        base_url=uow.settings.app_base_url,
    )
    organiser = contacts.get((item.get("extra") or {}).get("organiser_id") or "")
    calendar = meeting_calendar(planned, organiser_email=(organiser or {}).get("email"), now=now)
    jobs = []
    for name in channels:
        channel = Channel(name)
        key = delivery_key(planned.key, channel)
        ledger = L.new_ledger_doc(planned, key, channel, now=now, owner=pass_.owner)
        job = DeliveryJob(item, planned, channel, ledger)
        job.outgoing = Outgoing(planned, key, message, reach, now, calendar)
        jobs.append(job)
    return jobs


def _count_outcomes(jobs: list[DeliveryJob], result: DispatchResult, now: datetime) -> None:
    for job in jobs:
        result.outcomes.append((job.ledger["_id"], job.status))
        count_delivery(job.channel, job.planned, job.status, now)
        if job.status == L.SENT:
            result.sent += 1
        elif job.status == L.RETRYING:
            result.retrying += 1
        else:
            result.failed += 1


def count_delivery(channel: str, planned: PlannedNotification, outcome: str, now: datetime) -> None:
    """The delivery outcome metric; a sent one also observes its lag behind due time."""
    kind = str(planned.type)
    NOTIFICATION_DELIVERIES.labels(str(channel), kind, outcome).inc()
    if outcome == L.SENT:
        lag = max(0.0, (now - planned.due_at).total_seconds())
        NOTIFICATION_LAG.labels(str(channel), kind).observe(lag)


def _suppressed_doc(uow: Work, planned: PlannedNotification, reason: str, owner: str) -> Document:
    now = uow.now
    doc = L.new_ledger_doc(planned, L.suppressed_id(planned.key), "none", now=now, owner=owner)
    doc = L.record_attempt(doc, status=L.SUPPRESSED, now=now, outcome="suppressed", reason=reason)
    return L.with_event(uow, doc, L.suppressed_event(doc, reason), suffix="suppressed")


def _release_delivered(
    jobs: list[DeliveryJob], settled: list[str], returned: list[tuple[str, dict[str, Any]]]
) -> None:
    """Per item: pending at the earliest retry if a channel must retry, else settled."""
    by_item: dict[str, list[DeliveryJob]] = {}
    for job in jobs:
        by_item.setdefault(job.item["_id"], []).append(job)
    for item_jobs in by_item.values():
        item = item_jobs[0].item
        retries = [j.next_ms for j in item_jobs if j.status == L.RETRYING and j.next_ms is not None]
        if retries:
            returned.append(release(item, due_ms=min(retries), channels=item["channels"]))
        elif all(j.status in L.FINAL for j in item_jobs):
            settled.append(item["_id"])
        # else not settled (should not happen): leave the lease to expire
