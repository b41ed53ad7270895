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

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime, timedelta

from pymongo import ReplaceOne, UpdateMany, UpdateOne

from services.notifications import ledger as L
from services.notifications.domain.model import Plan, PlannedNotification
from services.notifications.domain.planning import plan_notifications
from services.notifications.domain.policy import PlanningPolicy
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


async def plan_from_events(
    store: NotificationsStore,
    events: Sequence[ParsedEvent],
    *,
    now: datetime,
    policy: PlanningPolicy | None = None,
    default_match_expiry: timedelta = timedelta(days=14),
) -> int:
    """Apply a batch of events in order; returns how many notifications were queued.

    A handful of round trips per batch, not per event: what the batch needs is read
    once, the events are planned in memory, and the queue's writes go in one ordered
    ``bulk_write`` so that a later event's withdrawal still follows an earlier event's
    insert."""
    erased = await is_erased(store, sorted({p for e in events for p in _people_named(e)}))
    match_ids = {m for e in events if isinstance(m := getattr(e.data, "match_id", None), str)}
    members = await _match_members(store, match_ids)
    learned: dict[str, tuple[str, ...]] = {}
    plans: list[tuple[Plan, dict[str, object] | None]] = []
    for event in events:
        named = match_members_of(event)
        if named is not None:
            match_id, member_ids = named
            kept = tuple(pseudonym(p) if p in erased else p for p in member_ids)
            members[match_id] = learned[match_id] = kept
        match_id = getattr(event.data, "match_id", None)
        known = {match_id: members[match_id]} if match_id in members else {}
        extra = scrub(display_details(event), erased)
        for fact in facts_from_event(
            event, match_members=known, default_match_expiry=default_match_expiry
        ):
            plans.append((plan_notifications(fact, now=now, policy=policy), extra))
    if learned:
        await store.match_members.bulk_write(
            [
                ReplaceOne({"_id": m}, {"_id": m, "member_ids": list(ids)}, upsert=True)
                for m, ids in learned.items()
            ],
            ordered=False,
        )
    return await apply_plans(store, plans, now=now, erased=erased)


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


async def _match_members(
    store: NotificationsStore, match_ids: Collection[str]
) -> dict[str, tuple[str, ...]]:
    if not match_ids:
        return {}
    found = await store.match_members.find({"_id": {"$in": list(match_ids)}}).to_list()
    return {d["_id"]: tuple(d["member_ids"]) for d in found}


async def apply_plan(store: NotificationsStore, plan: Plan, *, now: datetime) -> int:
    """One plan (see ``apply_plans``)."""
    return await apply_plans(store, [(plan, None)], now=now)


async def apply_plans(
    store: NotificationsStore,
    plans: Sequence[tuple[Plan, dict[str, object] | None]],
    *,
    now: datetime,
    erased: set[str] | frozenset[str] = frozenset(),
) -> int:
    """Apply (plan, extra fields for its queue documents) in order: a plan its
    ``SequenceGuard`` refuses is dropped; withdrawals, then queueing by key (an existing
    key is never reset, one the ledger settled is not queued again, a withdrawn one
    becomes pending); nothing for the ``erased``, whose ids are replaced by pseudonyms."""
    guarded = {plan.guard.subject_id for plan, _ in plans if plan.guard is not None}
    last: dict[str, int] = {}
    if guarded:
        found = await store.plan_guards.find({"_id": {"$in": sorted(guarded)}}).to_list()
        last = {d["_id"]: d["sequence"] for d in found}
    admitted: list[tuple[Plan, dict[str, object] | None]] = []
    moved: dict[str, int] = {}
    for plan, extra in plans:
        guard = plan.guard
        if guard is not None:
            if not guard.admits(last.get(guard.subject_id)):
                log.info("plan_refused_by_guard", subject=guard.subject_id, sequence=guard.sequence)
                continue
            last[guard.subject_id] = moved[guard.subject_id] = guard.sequence
        admitted.append((plan, extra))

    wanted = [n for plan, _ in admitted for n in plan.notifications if n.recipient_id not in erased]
    settled = await _settled_keys(store, wanted)
    ops: list[UpdateMany | UpdateOne] = []
    for plan, extra in admitted:
        if plan.withdrawals:
            streams = sorted({w.stream for w in plan.withdrawals})
            ops.append(
                UpdateMany(
                    {"stream": {"$in": streams}, "state": PENDING},
                    {"$set": {"state": WITHDRAWN, "lease_owner": None, "due_ms": NEVER_MS}},
                )
            )
        for item in plan.notifications:
            if item.recipient_id in erased or item.key in settled:
                continue
            doc = scrub(queue_doc(item, now=now, extra=extra), erased)
            doc.pop("_id")  # the upsert takes it from the filter
            ops.append(UpdateOne({"_id": item.key}, {"$setOnInsert": doc}, upsert=True))
            # Planned again after a withdrawal (e.g. moved there and back): pending again.
            ops.append(
                UpdateOne(
                    {"_id": item.key, "state": WITHDRAWN},
                    {"$set": {"state": PENDING, "due_ms": to_ms(item.due_at)}},
                )
            )
    inserted = 0
    if ops:
        inserted = (await store.queue.bulk_write(ops, ordered=True)).upserted_count
    if moved:
        await store.plan_guards.bulk_write(
            [
                ReplaceOne({"_id": subject}, {"_id": subject, "sequence": seq}, upsert=True)
                for subject, seq in moved.items()
            ],
            ordered=False,
        )
    return inserted


async def _settled_keys(
    store: NotificationsStore, notifications: list[PlannedNotification]
) -> set[str]:
    """The keys the ledger already settled (sent, failed, suppressed): the dispatcher
    deletes a settled item from the queue, so the ledger is what remembers its key."""
    if not notifications:
        return set()
    ids = [i for n in notifications for i in L.ledger_ids(n.key)]
    found = await store.deliveries.find(
        {"_id": {"$in": ids}, "status": {"$in": list(L.FINAL)}}, projection={"notification_key": 1}
    ).to_list()
    return {d["notification_key"] for d in found}
