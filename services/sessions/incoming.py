"""Incoming events: the handlers of the sessions table (``bootstrap.py``). Each
translates a run of one event type into service calls, as a route does for HTTP."""

from __future__ import annotations

from collections.abc import Sequence

from services.sessions.erasure import erase_person
from services.sessions.projections import apply_program_events
from services.sessions.relationships import apply_match_events
from services.sessions.sweeps import sweep_health, sweep_overdue_action_items
from services.sessions.unit_of_work import Work
from shared.contracts.registry import ParsedEvent


async def on_program_events(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Opened, updated or closed: the program projection (cadence, sharing, admins)."""
    await apply_program_events(uow.store, events)


async def on_match_events(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Activated starts a relationship, flagged pauses it, ended ends it."""
    await apply_match_events(uow.store, events, source=uow.source)


async def on_person_erased(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Right to erasure: the person's data goes, their id becomes a pseudonym."""
    for person_id in dict.fromkeys(getattr(e.data, "person_id") for e in events):  # noqa: B009
        await erase_person(uow.store, person_id)


async def sweep(uow: Work) -> dict[str, object]:
    """Timer: action items that fell overdue, and relationship health as time passes."""
    overdue = await sweep_overdue_action_items(uow.store, now=uow.now, source=uow.source)
    health = await sweep_health(uow.store, now=uow.now, source=uow.source)
    return {"overdue": len(overdue), "health": health}
