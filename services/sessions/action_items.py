"""Action items: commitments with an owner and a due date, announced when overdue.

``sweep_overdue`` (the worker's timer) marks each newly overdue item once, with its
``sessions.action_item.overdue`` event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.sessions import health
from services.sessions.deps import (
    check_references,
    in_members_relationship,
    members_relationship,
)
from services.sessions.domain.action_items import (
    ActionItem,
    announce_newly_overdue,
    complete_action_item,
    create_action_item,
    drop_action_item,
)
from services.sessions.mapping import from_doc, stored
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship
from services.sessions.store import ACTION_ITEMS
from services.sessions.unit_of_work import Work
from shared.mongo import ConcurrencyConflict, Document


def action_item_doc(item: ActionItem, base: Document) -> Document:
    """The stored item: its fields plus ``due_at`` (for the sweep) and ``program_id``."""
    return stored(item, base, due_at=item.due_at, program_id=base["program_id"])


async def add(uow: Work, *, item_id: str, relationship_id: str, **item: Any) -> Document:
    """A commitment with an owner (a member) and a due date (end of day, owner's zone):
    ``item`` holds what ``create_action_item`` takes (owner, description, due date, and
    the meeting and goal it belongs to, which must be of the same relationship)."""
    rel = load_relationship(await members_relationship(uow, relationship_id))
    refs = {name: item.get(name) for name in ("meeting_id", "goal_id")}
    await check_references(uow, relationship_id, **refs)
    outcome = create_action_item(rel, item_id=item_id, now=uow.now, **item)
    doc = action_item_doc(outcome.state, {"program_id": rel.program_id})
    staged = stage(uow, doc, outcome.events)
    saved, _ = await uow.store.insert_new(uow.store.action_items, staged)
    await health.refresh(uow, relationship_id=relationship_id)
    return saved


async def close(uow: Work, *, item_id: str, done: bool) -> Document:
    """Complete or drop an action item of one of the caller's relationships."""
    found = await uow.store.action_items.get(item_id)
    doc = await in_members_relationship(uow, found, f"action item {item_id}")
    move = complete_action_item if done else drop_action_item
    outcome = move(from_doc(ActionItem, doc), program_id=doc["program_id"], now=uow.now)
    new = action_item_doc(outcome.state, doc)
    saved = await uow.store.action_items.replace(stage(uow, new, outcome.events))
    await health.refresh(uow, relationship_id=doc["relationship_id"])
    return saved


async def page(
    uow: Work,
    *,
    relationship_id: str,
    status: str | None,
    owner_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Document], int]:
    await members_relationship(uow, relationship_id)
    filters = {"status": status, "owner_id": owner_id}
    return await uow.store.page_in_relationship(
        ACTION_ITEMS, relationship_id, filters, sort=[("due_on", 1)], limit=limit, offset=offset
    )


async def sweep_overdue(uow: Work) -> list[str]:
    """Announce every open action item that became overdue by ``uow.now`` (once each)."""
    announced: list[str] = []
    touched: set[str] = set()
    for doc in await uow.store.due_action_items(uow.now):
        item = from_doc(ActionItem, doc)
        outcome = announce_newly_overdue([item], program_id=doc["program_id"], now=uow.now)
        if not outcome.state:
            continue
        new = action_item_doc(outcome.state[0], doc)
        try:
            await uow.store.action_items.replace(stage(uow, new, outcome.events))
        except ConcurrencyConflict:
            continue  # changed meanwhile (e.g. completed); the next sweep decides again
        announced.append(item.id)
        touched.add(item.relationship_id)
    for relationship_id in touched:
        await health.refresh(uow, relationship_id=relationship_id)
    return announced


def action_item_read(doc: Document, now: datetime) -> dict[str, Any]:
    item = from_doc(ActionItem, doc)
    return {
        "id": item.id,
        "relationship_id": item.relationship_id,
        "owner_id": item.owner_id,
        "description": item.description,
        "due_on": item.due_on,
        "due_at": item.due_at,
        "status": item.status,
        "overdue": item.status.value == "open" and now >= item.due_at,
        "meeting_id": item.meeting_id,
        "goal_id": item.goal_id,
        "completed_at": item.completed_at,
    }
