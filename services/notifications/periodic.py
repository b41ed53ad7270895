"""Periodic notifications: the weekly journal prompt and the program-admin digest.

What they need is kept from events (``track``, called by the consumers of
``sessions.v1``, ``mentoring.matches.v1`` and ``mentoring.programs.v1``):

* who has an active relationship (started, paused, resumed, ended), as one journal
  schedule per person: someone in two relationships gets one prompt a week;
* each program's admins, as one digest schedule per (program, admin);
* what needs an admin's look: a flagged match until it ends, a relationship at risk or
  stalled until it is healthy again or ends.

A new schedule has ``next_ms`` 0, "work out the next slot"; a person's schedule is
deleted at a slot where they have no active relationship left. A timer
calls ``plan_due``: each schedule whose ``next_ms`` has passed asks the domain
(``weekly_step``, in the person's current time zone) what to plan now and when to
look again. Items go through the planner's ``apply_plans`` (settled keys and erasure
apply) and their keys include the slot, so a repeated sweep or a second worker queues
nothing twice. An admin digest lists what is flagged when its slot is planned.
Replaying the topics leaves the same schedules and flags.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pymongo import DeleteMany, DeleteOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from services.notifications.domain.digest import (
    RELATIONSHIP_FLAGS,
    AdminDigestEntry,
    AdminFlag,
    admin_flag_changes,
    plan_admin_digest,
)
from services.notifications.domain.model import Plan
from services.notifications.domain.planning import plan_journal_prompt
from services.notifications.domain.policy import PlanningPolicy
from services.notifications.domain.schedule import WeeklySlot, weekly_step
from services.notifications.erasure import is_erased
from services.notifications.planner import apply_plans
from services.notifications.preferences import preferences_for
from services.notifications.store import CONTACTS, NotificationsStore, from_ms, to_ms
from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.registry import ParsedEvent
from shared.errors import InvalidInput
from shared.mongo import Document

_Op = ReplaceOne | UpdateOne | DeleteOne | DeleteMany

#: Batches per sweep at most (a schedule reset while it is handled stays due).
MAX_PASSES = 100


@dataclass(frozen=True)
class PeriodicResult:
    journal_prompts: int = 0
    admin_digests: int = 0


def flag_id(flag: AdminFlag, subject_id: str) -> str:
    return f"{flag}:{subject_id}"


def digest_schedule_id(program_id: str, admin_id: str) -> str:
    return f"{program_id}|{admin_id}"


async def track(store: NotificationsStore, events: Sequence[ParsedEvent]) -> None:
    """Keep relationships, schedules and admin flags current with a batch of events."""
    tracked = _Tracking(await _members(store, events))
    named = [p for e in events for p in _people_scheduled(e.data)]
    tracked.erased = await is_erased(store, sorted(set(named)))
    for event in events:
        tracked.apply(event.data, event.envelope.time)
    for collection, ops in (
        (store.relationships, tracked.relationships),
        (store.journal_schedules, tracked.journals),
        (store.digest_schedules, tracked.digests),
        (store.admin_flags, tracked.flags),
    ):
        if ops:
            await collection.bulk_write(ops, ordered=True)


def _people_scheduled(data: object) -> tuple[str, ...]:
    if isinstance(data, s.RelationshipStarted):
        return data.member_ids
    if isinstance(data, m.ProgramOpened):
        return data.admin_ids
    return ()


async def _members(
    store: NotificationsStore, events: Sequence[ParsedEvent]
) -> dict[str, tuple[str, ...]]:
    """Members of the relationships a batch pauses, resumes or ends (events name only
    the relationship)."""
    changes = s.RelationshipPaused | s.RelationshipResumed | s.RelationshipEnded
    ids = sorted({e.data.relationship_id for e in events if isinstance(e.data, changes)})
    if not ids:
        return {}
    found = await store.relationships.find({"_id": {"$in": ids}}).to_list()
    return {d["_id"]: tuple(d["member_ids"]) for d in found}


class _Tracking:
    """The writes one batch of events makes, per collection, in event order."""

    def __init__(self, members: dict[str, tuple[str, ...]]) -> None:
        self.members = members
        self.erased: set[str] = set()
        self.relationships: list[_Op] = []
        self.journals: list[_Op] = []
        self.digests: list[_Op] = []
        self.flags: list[_Op] = []

    def apply(self, data: object, at: datetime) -> None:
        match data:
            case s.RelationshipStarted():
                kept = tuple(p for p in data.member_ids if p not in self.erased)
                self.members[data.relationship_id] = kept
                doc = {
                    "_id": data.relationship_id,
                    "program_id": data.program_id,
                    "member_ids": list(kept),
                    "active": True,
                }
                self.relationships.append(ReplaceOne({"_id": doc["_id"]}, doc, upsert=True))
                self._join(data.relationship_id)
            case s.RelationshipResumed():
                self._set_active(data.relationship_id, True)
                self._join(data.relationship_id)
            case s.RelationshipPaused():
                self._set_active(data.relationship_id, False)
                self._leave(data.relationship_id)
            case s.RelationshipEnded():
                self._set_active(data.relationship_id, False)
                self._leave(data.relationship_id)
                self._clear(RELATIONSHIP_FLAGS, data.relationship_id)
            case s.HealthChanged():
                raised, cleared = admin_flag_changes(data.state)
                self._clear(cleared, data.relationship_id)
                if raised is not None:
                    self._raise(raised, data.relationship_id, data.program_id, at)
            case m.MatchFlagged():
                self._raise(AdminFlag.FLAGGED_MATCH, data.match_id, data.program_id, at)
            case m.MatchEnded():
                self._clear((AdminFlag.FLAGGED_MATCH,), data.match_id)
            case m.ProgramOpened():  # and ProgramUpdated, its subclass
                admins = [a for a in dict.fromkeys(data.admin_ids) if a not in self.erased]
                self.digests.append(
                    DeleteMany({"program_id": data.program_id, "admin_id": {"$nin": admins}})
                )
                for admin in admins:
                    self.digests.append(
                        UpdateOne(
                            {"_id": digest_schedule_id(data.program_id, admin)},
                            {
                                "$set": {"program_id": data.program_id, "admin_id": admin},
                                "$setOnInsert": {"next_ms": 0},
                            },
                            upsert=True,
                        )
                    )
            case m.ProgramClosed():
                self.digests.append(DeleteMany({"program_id": data.program_id}))
                self.flags.append(DeleteMany({"program_id": data.program_id}))

    def _set_active(self, relationship_id: str, active: bool) -> None:
        self.relationships.append(UpdateOne({"_id": relationship_id}, {"$set": {"active": active}}))

    def _join(self, relationship_id: str) -> None:
        for person in self.members.get(relationship_id, ()):
            self.journals.append(
                UpdateOne(
                    {"_id": person},
                    {
                        "$addToSet": {"relationship_ids": relationship_id},
                        "$setOnInsert": {"next_ms": 0},
                    },
                    upsert=True,
                )
            )

    def _leave(self, relationship_id: str) -> None:
        for person in self.members.get(relationship_id, ()):
            self.journals.append(
                UpdateOne({"_id": person}, {"$pull": {"relationship_ids": relationship_id}})
            )

    def _raise(self, flag: AdminFlag, subject_id: str, program_id: str, at: datetime) -> None:
        fields = {"program_id": program_id, "flag": str(flag), "subject_id": subject_id}
        self.flags.append(
            UpdateOne(
                {"_id": flag_id(flag, subject_id)},
                {"$setOnInsert": {**fields, "since": at}},
                upsert=True,
            )
        )

    def _clear(self, flags: Iterable[AdminFlag], subject_id: str) -> None:
        self.flags.extend(DeleteOne({"_id": flag_id(f, subject_id)}) for f in flags)


async def plan_due(
    store: NotificationsStore,
    *,
    now: datetime,
    policy: PlanningPolicy | None = None,
    batch_size: int = 500,
) -> PeriodicResult:
    """Plan every journal prompt and admin digest whose slot has come (see module doc)."""
    policy = policy or PlanningPolicy()
    journals = digests = 0
    for _ in range(MAX_PASSES):
        due = {"next_ms": {"$lte": to_ms(now)}}
        people = await store.journal_schedules.find(due).limit(batch_size).to_list()
        admins = await store.digest_schedules.find(due).limit(batch_size).to_list()
        if not people and not admins:
            break
        journals += await _plan_journal_prompts(store, people, now=now, policy=policy)
        digests += await _plan_admin_digests(store, admins, now=now, policy=policy)
        if len(people) < batch_size and len(admins) < batch_size:
            break
    return PeriodicResult(journal_prompts=journals, admin_digests=digests)


async def _plan_journal_prompts(
    store: NotificationsStore, schedules: list[Document], *, now: datetime, policy: PlanningPolicy
) -> int:
    if not schedules:
        return 0
    zones = await _time_zones(store, [d["_id"] for d in schedules])
    plans: list[tuple[Plan, dict[str, object] | None]] = []
    moves: dict[str, tuple[int, int]] = {}
    idle: list[DeleteOne] = []
    for doc in schedules:
        person = doc["_id"]
        if not doc.get("relationship_ids"):
            # No active relationship: the schedule goes (unless one started meanwhile);
            # the next relationship creates a new one.
            filter_ = {"_id": person, "next_ms": doc["next_ms"], "relationship_ids": {"$size": 0}}
            idle.append(DeleteOne(filter_))
            continue
        send_at, next_ms = _step(policy.journal_prompt_slot, zones[person], doc, now, policy)
        if send_at is not None:
            plans.append(
                (Plan((plan_journal_prompt(person, due_at=send_at, policy=policy),)), None)
            )
        moves[person] = (doc["next_ms"], next_ms)
    queued = await _apply(store, plans, now=now)
    await _move(store.journal_schedules, moves)
    if idle:
        await store.journal_schedules.bulk_write(idle, ordered=False)
    return queued


async def _plan_admin_digests(
    store: NotificationsStore, schedules: list[Document], *, now: datetime, policy: PlanningPolicy
) -> int:
    if not schedules:
        return 0
    zones = await _time_zones(store, [d["admin_id"] for d in schedules])
    steps = {
        d["_id"]: _step(policy.admin_digest_slot, zones[d["admin_id"]], d, now, policy)
        for d in schedules
    }
    sending = sorted({d["program_id"] for d in schedules if steps[d["_id"]][0] is not None})
    entries: dict[str, list[AdminDigestEntry]] = {p: [] for p in sending}
    if sending:
        for flag in await store.admin_flags.find({"program_id": {"$in": sending}}).to_list():
            entries[flag["program_id"]].append(
                AdminDigestEntry(AdminFlag(flag["flag"]), flag["subject_id"], flag["since"])
            )
    plans: list[tuple[Plan, dict[str, object] | None]] = []
    for doc in schedules:
        send_at = steps[doc["_id"]][0]
        if send_at is not None:
            program = doc["program_id"]
            plan = plan_admin_digest(program, [doc["admin_id"]], entries[program], due_at=send_at)
            plans.append((plan, None))
    queued = await _apply(store, plans, now=now)
    await _move(
        store.digest_schedules, {d["_id"]: (d["next_ms"], steps[d["_id"]][1]) for d in schedules}
    )
    return queued


def _step(
    slot: WeeklySlot, time_zone: str, doc: Document, now: datetime, policy: PlanningPolicy
) -> tuple[datetime | None, int]:
    """(the slot to plan now or None, the next ``next_ms``); an unknown zone counts as UTC."""
    due = from_ms(doc["next_ms"]) if doc["next_ms"] > 0 else None
    try:
        step = weekly_step(slot, time_zone, due=due, now=now, grace=policy.periodic_grace)
    except InvalidInput:
        step = weekly_step(slot, "UTC", due=due, now=now, grace=policy.periodic_grace)
    return step.send_at, to_ms(step.next_at)


async def _time_zones(store: NotificationsStore, people: list[str]) -> dict[str, str]:
    """Each person's zone as the dispatcher sees it: their preferences' (which default
    to the contact's, then UTC)."""
    contacts = await store.by_ids(CONTACTS, people)
    preferences = await preferences_for(store, people, contacts)
    return {p: preferences[p]["time_zone"] for p in people}


async def _apply(
    store: NotificationsStore, plans: list[tuple[Plan, dict[str, object] | None]], *, now: datetime
) -> int:
    if not plans:
        return 0
    recipients = sorted({n.recipient_id for plan, _ in plans for n in plan.notifications})
    erased = await is_erased(store, recipients)
    return await apply_plans(store, plans, now=now, erased=erased)


async def _move(collection: AsyncCollection[Document], moves: dict[str, tuple[int, int]]) -> None:
    """Set each schedule's next slot, unless something changed it meanwhile (a
    relationship starting again resets it to 0: the next sweep works it out)."""
    if moves:
        await collection.bulk_write(
            [
                UpdateOne({"_id": key, "next_ms": old}, {"$set": {"next_ms": new}})
                for key, (old, new) in moves.items()
            ],
            ordered=False,
        )
