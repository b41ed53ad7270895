"""Keeping relationship health current and announcing overdue commitments.

``refresh_health`` runs after every change that can move health (meetings, feedback,
action items) and, for the passage of time, from the worker's timer through
``sweep_health``. A state change is stored on the relationship with its
``sessions.health.changed`` event (outbox). ``sweep_overdue_action_items`` marks each
newly overdue item once, with its ``sessions.action_item.overdue`` event. Both take
``now``: tests pass the time instead of sleeping.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.sessions.domain import (
    ActionItem,
    Feedback,
    Health,
    HealthReason,
    HealthState,
    Meeting,
    RelationshipStatus,
    announce_newly_overdue,
    assess_health,
    health_changed_event,
    relationship_facts,
)
from services.sessions.mapping import from_doc, to_doc
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship
from services.sessions.store import (
    ACTION_ITEMS,
    FEEDBACK,
    MEETINGS,
    RELATIONSHIPS,
    SessionsStore,
)
from shared.logging import get_logger
from shared.mongo import ConcurrencyConflict, Document

log = get_logger(__name__)


def _stored_health(doc: Document) -> Health | None:
    health = doc.get("health")
    if not health:
        return None
    return Health(
        HealthState(health["state"]), tuple(HealthReason(r) for r in health.get("reasons", []))
    )


async def refresh_health(
    store: SessionsStore, *, relationship_id: str, now: datetime, source: str
) -> Health | None:
    """Re-assess one relationship; store (and announce a state change) if it moved."""
    for _ in range(3):
        doc = await store.relationships.get(relationship_id)
        if doc is None:
            return None
        rel = load_relationship(doc)
        if rel.status is not RelationshipStatus.ACTIVE:
            return _stored_health(doc)
        query = {"relationship_id": relationship_id}
        meetings = [from_doc(Meeting, d) for d in await store.find_all(MEETINGS, query)]
        feedback = [from_doc(Feedback, d) for d in await store.find_all(FEEDBACK, query)]
        items = [from_doc(ActionItem, d) for d in await store.find_all(ACTION_ITEMS, query)]
        facts = relationship_facts(rel, meetings, feedback, items, now=now)
        current = assess_health(facts, now)
        previous = _stored_health(doc)
        if previous == current:
            return current
        event = health_changed_event(facts, previous, current, now)
        new = {
            **doc,
            "health": {
                "state": current.state.value,
                "reasons": [r.value for r in current.reasons],
                "assessed_at_ms": int(now.timestamp() * 1000),
            },
        }
        if event is not None:
            new = stage(new, [event], source=source, member_ids=rel.member_ids)
        try:
            await store.relationships.replace(new)
            return current
        except ConcurrencyConflict:
            continue
    log.warning("health_refresh_gave_up", relationship_id=relationship_id)
    return None


async def sweep_health(
    store: SessionsStore, *, now: datetime, source: str, page_size: int = 500
) -> dict[str, int]:
    """Re-assess every active relationship as of ``now``; returns counts per state."""
    counts: dict[str, int] = {}
    last_id = ""
    while True:
        query: dict[str, Any] = {"status": RelationshipStatus.ACTIVE.value, "_id": {"$gt": last_id}}
        docs = (
            await store.db[RELATIONSHIPS]
            .find(query, {"_id": 1})
            .sort([("_id", 1)])
            .limit(page_size)
            .to_list()
        )
        if not docs:
            return counts
        for doc in docs:
            health = await refresh_health(store, relationship_id=doc["_id"], now=now, source=source)
            if health is not None:
                counts[health.state.value] = counts.get(health.state.value, 0) + 1
        last_id = docs[-1]["_id"]


async def sweep_overdue_action_items(
    store: SessionsStore, *, now: datetime, source: str
) -> list[str]:
    """Announce every open action item that became overdue by ``now`` (once each)."""
    announced: list[str] = []
    touched: set[str] = set()
    for doc in await store.due_action_items(now):
        item = from_doc(ActionItem, doc)
        outcome = announce_newly_overdue([item], program_id=doc["program_id"], now=now)
        if not outcome.state:
            continue
        new = {**action_item_doc(outcome.state[0], doc)}
        try:
            await store.action_items.replace(stage(new, outcome.events, source=source))
        except ConcurrencyConflict:
            continue  # changed meanwhile (e.g. completed); the next sweep decides again
        announced.append(item.id)
        touched.add(item.relationship_id)
    for relationship_id in touched:
        await refresh_health(store, relationship_id=relationship_id, now=now, source=source)
    return announced


def action_item_doc(item: ActionItem, base: Document) -> Document:
    """The stored item: its fields plus ``due_at`` (for the sweep) and ``program_id``."""
    doc = to_doc(item)
    doc["due_at"] = item.due_at
    doc["program_id"] = base["program_id"]
    for key in ("version", "pending_events", "outbox_pending"):
        if key in base:
            doc[key] = base[key]
    return doc
