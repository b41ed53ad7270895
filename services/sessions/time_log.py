"""Time spent in a relationship, logged by its members."""

from __future__ import annotations

from typing import Any

from services.sessions.deps import caller_of, check_references, members_relationship
from services.sessions.domain.time_log import TimeLog, log_time_spent, total_minutes
from services.sessions.mapping import from_doc, stored
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship
from services.sessions.store import TIME_LOGS
from services.sessions.unit_of_work import Work
from shared.mongo import Document


async def log(uow: Work, *, log_id: str, relationship_id: str, **spent: Any) -> Document:
    """The caller logs time: ``spent`` holds what ``log_time_spent`` takes (minutes,
    spent_on, and optionally one of the relationship's meetings)."""
    rel = load_relationship(await members_relationship(uow, relationship_id))
    await check_references(uow, relationship_id, meeting_id=spent.get("meeting_id"))
    person_id = caller_of(uow).subject
    outcome = log_time_spent(rel, log_id=log_id, person_id=person_id, now=uow.now, **spent)
    doc = stage(uow, stored(outcome.state), outcome.events)
    saved, _ = await uow.store.insert_new(uow.store.time_logs, doc)
    return saved


async def spent(uow: Work, *, relationship_id: str) -> dict[str, Any]:
    """Minutes in total and per member."""
    rel = load_relationship(await members_relationship(uow, relationship_id))
    logs = [from_doc(TimeLog, d) for d in await uow.store.in_relationship(TIME_LOGS, rel.id)]
    return {
        "relationship_id": relationship_id,
        "total_minutes": total_minutes(logs),
        "minutes_by_person": {p: total_minutes(logs, person_id=p) for p in rel.member_ids},
    }
