"""Incoming events: the handlers of the sessions table (``bootstrap.py``). Each
translates a run of one event type into service calls, as a route does for HTTP;
the timer's task too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from services.sessions import action_items, erasure, health, projections, relationships
from services.sessions.unit_of_work import Work
from shared.contracts.hr import PersonErased
from shared.contracts.registry import ParsedEvent
from shared.mongo import ConcurrencyConflict

#: A run of match lifecycle events that met a concurrent write is applied again from a
#: fresh read this many times (whole-document writes make that safe).
MAX_CONFLICT_RETRIES = 5


async def _retrying(apply: Callable[[], Awaitable[int]]) -> int:
    for attempt in range(MAX_CONFLICT_RETRIES):
        try:
            return await apply()
        except ConcurrencyConflict:
            if attempt == MAX_CONFLICT_RETRIES - 1:
                raise
    return 0


async def on_program_opened(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Opened or updated: the program projection (cadence, sharing, admins)."""
    await projections.open_or_update(uow, events)


async def on_program_closed(uow: Work, events: Sequence[ParsedEvent]) -> None:
    await projections.close(uow, events)


async def on_match_activated(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """An activated match starts its relationship (once)."""
    await relationships.start(uow, events)


async def on_match_flagged(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """A flagged match pauses its relationship."""
    await _retrying(lambda: relationships.follow_match(uow, events))


async def on_match_resumed(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """A flagged match kept by an admin resumes its paused relationship."""
    await _retrying(lambda: relationships.follow_match(uow, events))


async def on_match_ended(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """An ended match ends its relationship: ``completed`` (closing survey requested)
    when the program completed, else ``match_ended``; an ended one ignores it."""
    await _retrying(lambda: relationships.follow_match(uow, events))


async def on_enrollment_changed(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Enrolled or withdrawn: who may offer and book slots in a flash program."""
    await projections.enrollments_changed(uow, events)


async def on_person_upserted(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """HR's news of a person: sessions keeps their time zone only."""
    await projections.zones_upserted(uow, events)


async def on_person_erased(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Right to erasure: the person's data goes, their id becomes a pseudonym."""
    people = [e.data.person_id for e in events if isinstance(e.data, PersonErased)]
    for person_id in dict.fromkeys(people):
        await erasure.erase_person(uow, person_id)


async def sweep(uow: Work) -> dict[str, object]:
    """Timer: action items that fell overdue, and relationship health as time passes."""
    overdue = await action_items.sweep_overdue(uow)
    counts = await health.sweep(uow)
    return {"overdue": len(overdue), "health": counts}
