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
from dataclasses import dataclass, field
from datetime import timedelta

from services.notifications import ledger as L
from services.notifications.domain.model import Plan, PlannedNotification
from services.notifications.domain.planning import plan_notifications
from services.notifications.erasure import pseudonym, scrub
from services.notifications.incoming_facts import (
    display_details,
    facts_from_event,
    match_members_of,
    relationship_started,
    relationship_to_look_up,
)
from services.notifications.mapping import queue_doc
from services.notifications.store import NotificationsStore, to_ms
from services.notifications.store_queue import Enqueue, Withdraw
from services.notifications.unit_of_work import Work
from shared.contracts.registry import ParsedEvent
from shared.logging import get_logger
from shared.side_by_side import side_by_side

log = get_logger(__name__)


@dataclass
class QueueWrites:
    """A batch's plans, worked out and not yet written (``write_queue``): the queue's
    steps in order, the plan guards' new sequences, the match members learned."""

    steps: list[Withdraw | Enqueue] = field(default_factory=list)
    sequences: dict[str, int] = field(default_factory=dict)
    match_members: dict[str, tuple[str, ...]] = field(default_factory=dict)


async def plan_from_events(uow: Work, events: Sequence[ParsedEvent]) -> int:
    """Apply a batch of events in order; returns how many notifications were queued."""
    return await write_queue(uow, await queue_writes(uow, events))


async def queue_writes(uow: Work, events: Sequence[ParsedEvent]) -> QueueWrites:
    """Plan a batch of events in order, reading what it needs but writing nothing. The
    policy and the default match expiry are the settings'.

    A handful of round trips per batch, not per event: what the batch needs is read
    once, the events are planned in memory, and the queue's writes go in one ordered
    ``bulk_write`` so that a later event's withdrawal still follows an earlier event's
    insert."""
    store, now = uow.store, uow.now
    policy = uow.settings.planning_policy()
    default_match_expiry = timedelta(days=uow.settings.default_match_expiry_days)
    in_events = {p for e in events for p in _people_named(e)}
    members, found = await side_by_side(  # the tombstones of those named, in the same wait
        _members_to_know(store, events), store.erased_among(_aliases_of(in_events))
    )
    looked_up = {p for v in members.values() for p in v}
    erased, aliases = await _erasures(store, in_events, looked_up, found)
    learned: dict[str, tuple[str, ...]] = {}
    plans: list[tuple[Plan, dict[str, object] | None]] = []
    for event in events:
        named = match_members_of(event)
        if named is not None:
            match_id, member_ids = named
            kept = tuple(pseudonym(p) if p in erased else p for p in member_ids)
            members[match_id] = learned[match_id] = kept
        if (started := relationship_started(event)) is not None:  # for a later end in the batch
            members[started[0]] = tuple(p for p in started[1] if p not in erased)
        subject = relationship_to_look_up(event) or getattr(event.data, "match_id", None)
        known = {subject: members[subject]} if subject in members else {}
        extra = scrub(display_details(event), erased)
        for fact in facts_from_event(
            event, match_members=known, default_match_expiry=default_match_expiry
        ):
            plans.append((plan_notifications(fact, now=now, policy=policy), extra))
    writes = await _admitted(uow, plans, erased=erased, aliases=aliases)
    writes.match_members = learned
    return writes


async def _members_to_know(
    store: NotificationsStore, events: Sequence[ParsedEvent]
) -> dict[str, tuple[str, ...]]:
    """The members of the matches the batch names, by match id, and of the relationships
    whose survey requests name no one, by relationship id (the two read side by side)."""
    match_ids = {m for e in events if isinstance(m := getattr(e.data, "match_id", None), str)}
    relationship_ids = {r for e in events if (r := relationship_to_look_up(e)) is not None}
    of_matches, of_relationships = await side_by_side(
        store.match_members_of(match_ids), store.relationship_members(sorted(relationship_ids))
    )
    return {**of_matches, **of_relationships}


def _aliases_of(people: set[str]) -> list[str]:
    """What to look up among the tombstones for ``people``: each one's pseudonym, and the
    id itself (an id a match kept may be an erased person's pseudonym)."""
    return [*(pseudonym(p) for p in sorted(people)), *sorted(people)]


async def _erasures(
    store: NotificationsStore, in_events: set[str], looked_up: set[str], found: set[str]
) -> tuple[set[str], set[str]]:
    """Who of the people the batch names or looks up was erased, and the pseudonyms never
    to address (theirs, and any member looked up that is an erased person's pseudonym).
    ``found``: the tombstones among ``_aliases_of(in_events)``; the members looked up that
    the events do not name are read now (none, when the events name every member)."""
    unnamed = looked_up - in_events
    if unnamed:
        found = found | await store.erased_among(_aliases_of(unnamed))
    by_alias = {pseudonym(p): p for p in in_events | looked_up}
    erased = {by_alias[a] for a in found if a in by_alias}
    return erased, (found & looked_up) | {pseudonym(p) for p in erased}


def _people_named(event: ParsedEvent) -> Iterator[str]:
    """Every person id an event names (members, organiser, owner, the person, the one
    suggested)."""
    data = event.data
    for name in ("person_id", "organiser_id", "owner_id", "suggested_person_id"):
        value = getattr(data, name, None)
        if isinstance(value, str):
            yield value
    yield from getattr(data, "member_ids", None) or ()
    for member in getattr(data, "members", None) or ():
        yield member.person_id


async def apply_plan(uow: Work, plan: Plan) -> int:
    """One plan (see ``apply_plans``)."""
    return await apply_plans(uow, [(plan, None)])


async def apply_plans(
    uow: Work,
    plans: Sequence[tuple[Plan, dict[str, object] | None]],
    *,
    erased: set[str] | frozenset[str] = frozenset(),
    aliases: set[str] | frozenset[str] = frozenset(),
) -> int:
    """Apply (plan, extra fields for its queue documents) in order: a plan its
    ``SequenceGuard`` refuses is dropped; withdrawals, then queueing by key (an existing
    key is never reset, one the ledger settled is not queued again, a withdrawn one
    becomes pending only for a guarded plan: see ``Enqueue``); nothing for the ``erased``,
    whose ids are replaced by pseudonyms, nor for their ``aliases`` (pseudonyms)."""
    return await write_queue(uow, await _admitted(uow, plans, erased=erased, aliases=aliases))


async def write_queue(uow: Work, writes: QueueWrites) -> int:
    """Write a batch's plans: the queue and the match members side by side (a replay
    redoes both), then the plan guards, only once the queue holds what they admitted
    (a guard moved on without it would make the retry refuse the plan)."""
    store = uow.store
    inserted, _ = await side_by_side(
        store.plan_into_queue(writes.steps), store.remember_match_members(writes.match_members)
    )
    await store.save_plan_sequences(writes.sequences)
    return int(inserted)


async def _admitted(
    uow: Work,
    plans: Sequence[tuple[Plan, dict[str, object] | None]],
    *,
    erased: set[str] | frozenset[str],
    aliases: set[str] | frozenset[str],
) -> QueueWrites:
    """What ``apply_plans`` writes, read and worked out."""
    unreachable = set(erased) | set(aliases)
    store, now = uow.store, uow.now
    guarded = {plan.guard.subject_id for plan, _ in plans if plan.guard is not None}
    wanted = [
        n for plan, _ in plans for n in plan.notifications if n.recipient_id not in unreachable
    ]
    last, settled = await side_by_side(  # a refused plan's keys are read too: one wait
        store.plan_sequences(guarded), _settled_keys(store, wanted)
    )
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
    steps: list[Withdraw | Enqueue] = []
    for plan, extra in admitted:
        if plan.withdrawals:
            steps.append(Withdraw(sorted({w.stream for w in plan.withdrawals})))
        for item in plan.notifications:
            if item.recipient_id in unreachable or item.key in settled:
                continue
            doc = scrub(queue_doc(item, now=now, extra=extra), erased)
            revives = plan.guard is not None
            steps.append(Enqueue(doc, due_ms=to_ms(item.due_at), revives=revives))
    return QueueWrites(steps=steps, sequences=moved)


async def _settled_keys(
    store: NotificationsStore, notifications: list[PlannedNotification]
) -> set[str]:
    """The keys the ledger already settled (sent, failed, suppressed): the dispatcher
    deletes a settled item from the queue, so the ledger is what remembers its key."""
    if not notifications:
        return set()
    ids = [i for n in notifications for i in L.ledger_ids(n.key)]
    return await store.settled_notification_keys(ids, list(L.FINAL))
