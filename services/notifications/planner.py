"""Planning from other services' events into the due-queue (the consumer's service layer).

Per fact: the domain plans; a plan whose ``SequenceGuard`` refuses it (a late older
version of a meeting) is dropped; withdrawals mark pending items of the named streams
``withdrawn``; notifications are inserted by key (an existing key is never reset, nor
is one the ledger has settled, whose queue item the dispatcher deleted; a withdrawn
one that is planned again becomes pending).
Idempotent: replaying an event yields the same keys and changes nothing. An erased
person (``erasure``) gets nothing queued and is named by their pseudonym only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError

from services.notifications import ledger as L
from services.notifications.domain import (
    Plan,
    PlannedNotification,
    PlanningPolicy,
    plan_notifications,
)
from services.notifications.erasure import is_erased, pseudonym, scrub
from services.notifications.facts_from_events import (
    display_details,
    facts_from_event,
    match_members_of,
)
from services.notifications.queue import NEVER_MS, PENDING, WITHDRAWN, queue_doc
from services.notifications.store import NotificationsStore, to_ms
from shared.contracts.registry import ParsedEvent
from shared.logging import get_logger

log = get_logger(__name__)

DUPLICATE_KEY = 11000


async def plan_from_events(
    store: NotificationsStore,
    events: Sequence[ParsedEvent],
    *,
    now: datetime,
    policy: PlanningPolicy | None = None,
    default_match_expiry: timedelta = timedelta(days=14),
) -> int:
    """Apply a batch of events in order; returns how many notifications were queued."""
    queued = 0
    erased = await is_erased(store, sorted({p for e in events for p in _people_named(e)}))
    for event in events:
        members = match_members_of(event)
        if members is not None:
            match_id, member_ids = members
            kept = [pseudonym(p) if p in erased else p for p in member_ids]
            await store.match_members.replace_one(
                {"_id": match_id}, {"_id": match_id, "member_ids": kept}, upsert=True
            )
        known = await _known_match_members(store, event)
        extra = scrub(display_details(event), erased)
        for fact in facts_from_event(
            event, match_members=known, default_match_expiry=default_match_expiry
        ):
            plan = plan_notifications(fact, now=now, policy=policy)
            queued += await apply_plan(store, plan, now=now, extra=extra, erased=erased)
    return queued


def _people_named(event: ParsedEvent) -> Iterator[str]:
    """Every person id an event names (members, organiser, owner, the person)."""
    data = event.data
    for name in ("person_id", "organiser_id", "owner_id"):
        value = getattr(data, name, None)
        if isinstance(value, str):
            yield value
    yield from getattr(data, "member_ids", None) or ()
    for member in getattr(data, "members", None) or ():
        yield member.person_id


async def _known_match_members(
    store: NotificationsStore, event: ParsedEvent
) -> dict[str, tuple[str, ...]]:
    match_id = getattr(event.data, "match_id", None)
    if match_id is None:
        return {}
    doc = await store.match_members.find_one({"_id": match_id})
    return {match_id: tuple(doc["member_ids"])} if doc else {}


async def apply_plan(
    store: NotificationsStore,
    plan: Plan,
    *,
    now: datetime,
    extra: dict[str, object] | None = None,
    erased: set[str] | frozenset[str] = frozenset(),
) -> int:
    """Withdraw, then queue by key, honouring the plan's sequence guard; nothing for
    the ``erased``, whose ids are replaced by pseudonyms in what is queued."""
    guard = plan.guard
    if guard is not None:
        last = await store.plan_guards.find_one({"_id": guard.subject_id})
        if not guard.admits(last["sequence"] if last else None):
            log.info("plan_refused_by_guard", subject=guard.subject_id, sequence=guard.sequence)
            return 0
    if plan.withdrawals:
        streams = list({w.stream for w in plan.withdrawals})
        await store.queue.update_many(
            {"stream": {"$in": streams}, "state": PENDING},
            {"$set": {"state": WITHDRAWN, "lease_owner": None, "due_ms": NEVER_MS}},
        )
    inserted = 0
    notifications = [n for n in plan.notifications if n.recipient_id not in erased]
    notifications = await _not_settled(store, notifications)
    if notifications:
        docs = [scrub(queue_doc(item, now=now, extra=extra), erased) for item in notifications]
        try:
            result = await store.queue.insert_many(docs, ordered=False)
            inserted = len(result.inserted_ids)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            inserted = exc.details.get("nInserted", 0)
        # Planned again after a withdrawal (e.g. moved there and back): pending again.
        await store.queue.bulk_write(
            [
                UpdateOne(
                    {"_id": item.key, "state": WITHDRAWN},
                    {"$set": {"state": PENDING, "due_ms": to_ms(item.due_at)}},
                )
                for item in notifications
            ],
            ordered=False,
        )
    if guard is not None:
        await store.plan_guards.bulk_write(
            [
                ReplaceOne(
                    {"_id": guard.subject_id},
                    {"_id": guard.subject_id, "sequence": guard.sequence},
                    upsert=True,
                )
            ]
        )
    return inserted


async def _not_settled(
    store: NotificationsStore, notifications: list[PlannedNotification]
) -> list[PlannedNotification]:
    """Drop what the ledger already settled (sent, failed, suppressed): the dispatcher
    deletes a settled item from the queue, so the ledger is what remembers its key."""
    if not notifications:
        return []
    ids = [i for n in notifications for i in L.ledger_ids(n.key)]
    found = await store.deliveries.find(
        {"_id": {"$in": ids}, "status": {"$in": list(L.FINAL)}}, projection={"notification_key": 1}
    ).to_list()
    settled = {d["notification_key"] for d in found}
    return [n for n in notifications if n.key not in settled]
