"""The dispatcher: claim due items, resolve, send once per channel, record, retry.

``dispatch_due(store, senders, settings=..., now=..., limit=...)`` is one pass, called
by the worker's timer (tests call it with an injected ``now``):

1. Claim up to ``limit`` pending items due at ``now`` with a lease (``claims``: one
   compare-and-swap round trip; an expired lease is taken over, which is how a
   crashed worker's items come back, counted as interrupted).
2. Resolve each with the person's preferences: suppress, defer (quiet hours), hold
   for the daily digest, or deliver now over the chosen channels.
3. Per channel, read the ledger entry ``delivery_key(key, channel)`` if there is one:
   settled means skip, a retry not yet due waits, an interrupted send is retried once
   and then given up (``delivery.prepare_jobs``).
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

from pymongo import UpdateOne

from services.notifications import ledger as L
from services.notifications.claims import claim_due, release, release_all
from services.notifications.delivery import (
    DeliveryJob,
    insert_ignoring_duplicates,
    prepare_jobs,
    record_outcomes,
    send_all,
)
from services.notifications.digests import hold_for_digest, release_digests
from services.notifications.domain.dedupe import delivery_key
from services.notifications.domain.model import Channel, PlannedNotification
from services.notifications.domain.resolution import (
    AddToDigest,
    Deliver,
    Suppress,
    resolve_delivery,
)
from services.notifications.messages import counterpart_ids, recipient, render
from services.notifications.preferences import preferences_for, to_domain
from services.notifications.queue import (
    planned_from_doc,
)
from services.notifications.senders import Outgoing, Senders
from services.notifications.senders.calendar import meeting_calendar
from services.notifications.settings import NotificationsSettings
from services.notifications.store import CONTACTS, NotificationsStore, to_ms
from shared.logging import get_logger
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
    items, taken_over = await claim_due(
        store, candidates, now_ms=now_ms, owner=owner, lease_ms=int(settings.lease_s * 1000)
    )
    result.claimed = len(items)
    if not items:
        return result

    people = {d["recipient_id"] for d in items} | {i for d in items for i in counterpart_ids(d)}
    people |= {d["extra"]["organiser_id"] for d in items if d.get("extra", {}).get("organiser_id")}
    contacts = await store.by_ids(CONTACTS, people)
    prefs = await preferences_for(store, [d["recipient_id"] for d in items], contacts)

    jobs: list[DeliveryJob] = []
    settled: list[str] = []
    returned: list[tuple[str, dict[str, Any]]] = []
    held: list[UpdateOne] = []
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
                settled.append(item["_id"])
                result.suppressed += 1
                continue
            if isinstance(decision, AddToDigest):
                held.append(hold_for_digest(item, owner, decision.digest_at))
                result.digested += 1
                continue
            assert isinstance(decision, Deliver)
            if decision.at > now:
                returned.append(release(item, due_ms=to_ms(decision.at)))
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
    runnable, given_up = await prepare_jobs(
        store, jobs, taken_over=taken_over, now=now, settings=settings, result=result
    )
    await record_outcomes(store, given_up)
    await send_all(runnable, senders, settings=settings, now=now, random=random, store=store)
    for job in [*runnable, *given_up]:
        result.outcomes.append((job.ledger["_id"], job.status))
        if job.status == L.SENT:
            result.sent += 1
        elif job.status == L.RETRYING:
            result.retrying += 1
        else:
            result.failed += 1
    _release_delivered(jobs, settled, returned)
    await release_all(store, owner=owner, settled=settled, returned=returned, extra=held)
    return result


def _suppressed_doc(
    planned: PlannedNotification,
    reason: str,
    settings: NotificationsSettings,
    now: datetime,
    owner: str,
) -> Document:
    doc = L.new_ledger_doc(planned, L.suppressed_id(planned.key), "none", now=now, owner=owner)
    doc = L.record_attempt(doc, status=L.SUPPRESSED, now=now, outcome="suppressed", reason=reason)
    return L.with_event(
        doc, L.suppressed_event(doc, reason), settings=settings, now=now, suffix="suppressed"
    )


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
