"""Keeping relationship health current.

``refresh`` runs after every change that can move health (meetings, feedback, action
items) and, for the passage of time, from the worker's timer through ``sweep``. A
state change is stored on the relationship with its ``sessions.health.changed`` event
(outbox). Both use the unit's ``now``: tests move the time instead of sleeping.
"""

from __future__ import annotations

from services.sessions.domain.action_items import ActionItem
from services.sessions.domain.feedback import Feedback
from services.sessions.domain.health import (
    Health,
    HealthReason,
    HealthState,
    assess_health,
    health_changed_event,
    relationship_facts,
)
from services.sessions.domain.meetings import Meeting
from services.sessions.domain.relationships import RelationshipKind, RelationshipStatus
from services.sessions.mapping import from_doc
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship
from services.sessions.store import ACTION_ITEMS, FEEDBACK, MEETINGS
from services.sessions.unit_of_work import Work
from shared.logging import get_logger
from shared.metrics import RELATIONSHIPS_BY_HEALTH
from shared.mongo import ConcurrencyConflict, Document

log = get_logger(__name__)


def _stored_health(doc: Document) -> Health | None:
    health = doc.get("health")
    if not health:
        return None
    return Health(
        HealthState(health["state"]), tuple(HealthReason(r) for r in health.get("reasons", []))
    )


async def refresh(uow: Work, *, relationship_id: str) -> Health | None:
    """Re-assess one relationship; store (and announce a state change) if it moved."""
    store, now = uow.store, uow.now
    for _ in range(3):
        doc = await store.relationships.get(relationship_id)
        if doc is None:
            return None
        rel = load_relationship(doc)
        if rel.status is not RelationshipStatus.ACTIVE or rel.kind is RelationshipKind.FLASH:
            return _stored_health(doc)  # a flash booking has no rhythm to keep
        meetings = [from_doc(Meeting, d) for d in await store.in_relationship(MEETINGS, rel.id)]
        feedback = [from_doc(Feedback, d) for d in await store.in_relationship(FEEDBACK, rel.id)]
        items = [from_doc(ActionItem, d) for d in await store.in_relationship(ACTION_ITEMS, rel.id)]
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
            new = stage(uow, new, [event], member_ids=rel.member_ids)
        try:
            await store.relationships.replace(new)
            return current
        except ConcurrencyConflict:
            continue
    log.warning("health_refresh_gave_up", relationship_id=relationship_id)
    return None


async def sweep(uow: Work, *, page_size: int = 500) -> dict[str, int]:
    """Re-assess every active relationship as of ``uow.now``; returns counts per state."""
    counts: dict[str, int] = {}
    last_id = ""
    while ids := await uow.store.active_relationship_ids(last_id, page_size):
        for relationship_id in ids:
            health = await refresh(uow, relationship_id=relationship_id)
            if health is not None:
                counts[health.state.value] = counts.get(health.state.value, 0) + 1
        last_id = ids[-1]
    for state in HealthState:
        RELATIONSHIPS_BY_HEALTH.labels(state.value).set(counts.get(state.value, 0))
    return counts
