"""Periodic notifications: the weekly journal prompt and the program-admin digest.

What they need is kept from events (``projections.track``): one journal schedule per
person with an active relationship, one digest schedule per (program, admin), and the
admin flags. A new schedule has ``next_ms`` 0, "work out the next slot"; a person's
schedule is deleted at a slot where they have no active relationship left. A timer
calls ``plan_due``: each schedule whose ``next_ms`` has passed asks the domain
(``weekly_step``, in the person's current time zone) what to plan now and when to
look again. Items go through the planner's ``apply_plans`` (settled keys and erasure
apply) and their keys include the slot, so a repeated sweep or a second worker queues
nothing twice. An admin digest lists what is flagged when its slot is planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.notifications.domain.digest import AdminDigestEntry, AdminFlag, plan_admin_digest
from services.notifications.domain.model import Plan
from services.notifications.domain.planning import plan_journal_prompt
from services.notifications.domain.policy import PlanningPolicy
from services.notifications.domain.schedule import WeeklySlot, weekly_step
from services.notifications.erasure import is_erased
from services.notifications.planner import apply_plans
from services.notifications.preferences import preferences_for
from services.notifications.store import (
    DIGEST_SCHEDULES,
    JOURNAL_SCHEDULES,
    NotificationsStore,
    from_ms,
    to_ms,
)
from services.notifications.unit_of_work import Work
from shared.errors import InvalidInput
from shared.mongo import Document

#: Batches per sweep at most (a schedule reset while it is handled stays due).
MAX_PASSES = 100


@dataclass(frozen=True)
class PeriodicResult:
    journal_prompts: int = 0
    admin_digests: int = 0


async def plan_due(uow: Work, *, batch_size: int = 500) -> PeriodicResult:
    """Plan every journal prompt and admin digest whose slot has come (see module doc);
    the slots and the grace are the settings' planning policy."""
    policy = uow.settings.planning_policy()
    journals = digests = 0
    for _ in range(MAX_PASSES):
        people = await uow.store.due_schedules(
            JOURNAL_SCHEDULES, now_ms=to_ms(uow.now), limit=batch_size
        )
        admins = await uow.store.due_schedules(
            DIGEST_SCHEDULES, now_ms=to_ms(uow.now), limit=batch_size
        )
        if not people and not admins:
            break
        journals += await _plan_journal_prompts(uow, people, policy=policy)
        digests += await _plan_admin_digests(uow, admins, policy=policy)
        if len(people) < batch_size and len(admins) < batch_size:
            break
    return PeriodicResult(journal_prompts=journals, admin_digests=digests)


async def _plan_journal_prompts(
    uow: Work, schedules: list[Document], *, policy: PlanningPolicy
) -> int:
    steps = await _steps(uow, schedules, policy.journal_prompt_slot, "_id", policy)
    plans: list[tuple[Plan, dict[str, object] | None]] = []
    moves: dict[str, tuple[int, int]] = {}
    idle: dict[str, int] = {}
    for doc in schedules:
        person = doc["_id"]
        if not doc.get("relationship_ids"):
            # No active relationship: the schedule goes (unless one started meanwhile);
            # the next relationship creates a new one.
            idle[person] = doc["next_ms"]
            continue
        send_at, next_ms = steps[person]
        if send_at is not None:
            plans.append(
                (Plan((plan_journal_prompt(person, due_at=send_at, policy=policy),)), None)
            )
        moves[person] = (doc["next_ms"], next_ms)
    queued = await _apply(uow, plans)
    await uow.store.move_schedules(JOURNAL_SCHEDULES, moves)
    await uow.store.delete_idle_journal_schedules(idle)
    return queued


async def _plan_admin_digests(
    uow: Work, schedules: list[Document], *, policy: PlanningPolicy
) -> int:
    steps = await _steps(uow, schedules, policy.admin_digest_slot, "admin_id", policy)
    sending = sorted({d["program_id"] for d in schedules if steps[d["_id"]][0] is not None})
    entries: dict[str, list[AdminDigestEntry]] = {p: [] for p in sending}
    if sending:
        for flag in await uow.store.admin_flags_of(sending):
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
    queued = await _apply(uow, plans)
    moves = {d["_id"]: (d["next_ms"], steps[d["_id"]][1]) for d in schedules}
    await uow.store.move_schedules(DIGEST_SCHEDULES, moves)
    return queued


async def _steps(
    uow: Work, schedules: list[Document], slot: WeeklySlot, owner: str, policy: PlanningPolicy
) -> dict[str, tuple[datetime | None, int]]:
    """Where each schedule stands (by its ``_id``), in the zone of the person in its
    ``owner`` field: none of it, and no look-up, when there is no schedule."""
    if not schedules:
        return {}
    zones = await _time_zones(uow.store, [d[owner] for d in schedules])
    return {d["_id"]: _step(slot, zones[d[owner]], d, uow.now, policy) for d in schedules}


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
    contacts = await store.contacts_of(people)
    preferences = await preferences_for(store, people, contacts)
    return {p: preferences[p]["time_zone"] for p in people}


async def _apply(uow: Work, plans: list[tuple[Plan, dict[str, object] | None]]) -> int:
    if not plans:
        return 0
    recipients = sorted({n.recipient_id for plan, _ in plans for n in plan.notifications})
    erased = await is_erased(uow.store, recipients)
    return await apply_plans(uow, plans, erased=erased)
