"""Free slots for a relationship's next meeting."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.sessions import slots
from services.sessions.deps import MEMBER, Work
from services.sessions.domain.slots import WorkingHours
from services.sessions.schemas import SlotQuery, SlotRead
from shared.inputs import PathIdentifier, as_time

router = APIRouter(prefix="/relationships", tags=["relationships"])


@router.post("/{relationship_id}/slots", response_model=list[SlotRead], dependencies=[MEMBER])
async def propose_slots(
    relationship_id: PathIdentifier, body: SlotQuery, uow: Work
) -> list[dict[str, Any]]:
    """Earliest common free slots (working hours default to 09-17 Mon-Fri, member's zone)."""
    hours = [
        WorkingHours(
            h.person_id, h.time_zone, as_time(h.start), as_time(h.end), frozenset(h.weekdays)
        )
        for h in body.working_hours
    ]
    query = {**dict(body), "working_hours": hours}
    return await slots.suggest(uow, relationship_id=relationship_id, **query)
