"""Free slots for a relationship's next meeting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from services.sessions.deps import members_relationship
from services.sessions.domain.slots import WorkingHours, propose_slots
from services.sessions.relationships import load_relationship
from services.sessions.unit_of_work import Work


async def suggest(
    uow: Work,
    *,
    relationship_id: str,
    first_day: date,
    last_day: date,
    duration_minutes: int,
    count: int,
    working_hours: Sequence[WorkingHours] | None,
) -> list[dict[str, datetime]]:
    """Earliest free slots inside every member's working hours (default 09:00-17:00
    Mon-Fri), each in the member's own zone unless the request names one, avoiding the
    members' scheduled meetings."""
    rel = load_relationship(await members_relationship(uow, relationship_id))
    zones = {m.person_id: m.time_zone for m in rel.members}
    hours = [
        replace(h, time_zone=h.time_zone or zones.get(h.person_id)) for h in working_hours or ()
    ]
    given = {h.person_id for h in hours}
    hours += [
        WorkingHours(m.person_id, m.time_zone, time(9), time(17))
        for m in rel.members
        if m.person_id not in given
    ]
    range_start = datetime.combine(first_day - timedelta(days=1), time(0), tzinfo=UTC)
    busy = [
        (d["starts_at"], d["starts_at"] + timedelta(minutes=d["duration_minutes"]))
        for d in await uow.store.busy_times(list(rel.member_ids), range_start)
    ]
    slots = propose_slots(
        hours,
        first_day=first_day,
        last_day=last_day,
        duration=timedelta(minutes=duration_minutes),
        now=uow.now,
        count=count,
        busy=busy,
    )
    return [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in slots]
