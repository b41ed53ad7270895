"""Incoming events: the handlers of the sessions table (``bootstrap.py``). Each
translates a run of one event type into service calls, as a route does for HTTP;
the timer's task too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from services.sessions import (
    action_items,
    erasure,
    health,
    journal,
    meetings,
    projections,
    relationships,
)
from services.sessions.unit_of_work import Work
from shared.api import id_for
from shared.auth import Principal, Role
from shared.contracts.chat import ChatAction, ChatActionRequested
from shared.contracts.hr import PersonErased
from shared.contracts.registry import ParsedEvent
from shared.errors import DomainError
from shared.logging import get_logger
from shared.mongo import ConcurrencyConflict, NotFound
from shared.service import replay_safe

log = get_logger(__name__)

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


@replay_safe
async def on_match_activated(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """An activated match starts its relationship (once: a relationship that exists,
    whatever became of it since, is left as it is, so a replay changes nothing)."""
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


@replay_safe
async def on_enrollment_changed(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Enrolled or withdrawn: who may offer and book slots in a flash program (newest
    event wins, so a replay changes nothing)."""
    await projections.enrollments_changed(uow, events)


@replay_safe
async def on_person_upserted(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """HR's news of a person: sessions keeps their time zone only (newest event wins, so
    a replay changes nothing)."""
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


async def _confirm_meeting(uow: Work, command: ChatActionRequested) -> None:
    await meetings.confirm(uow, meeting_id=command.target_id)


async def _log_small_win(uow: Work, command: ChatActionRequested) -> None:
    entry_id = id_for(command.action_id, f"journal:{command.person_id}")
    await journal.log_small_win(uow, entry_id=entry_id, meeting_id=command.target_id)


#: The chat actions sessions applies, each through the service function of its route.
CHAT_ACTIONS_APPLIED: dict[ChatAction, Callable[[Work, ChatActionRequested], Awaitable[None]]] = {
    ChatAction.MEETING_CONFIRM: _confirm_meeting,
    ChatAction.JOURNAL_WIN: _log_small_win,
}


async def on_chat_action(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """A person confirmed a meeting or logged a small win from Slack or Teams: the same
    service calls as ``POST /meetings/{id}/confirm`` and ``POST /journal``, with that
    person as the caller, so the same rules hold (not their meeting: refused and
    logged, not dead-lettered). Match answers belong to the matcher."""
    for event in events:
        command = event.data
        if not isinstance(command, ChatActionRequested):
            continue
        apply = CHAT_ACTIONS_APPLIED.get(command.action)
        if apply is None:
            continue
        person = Principal(subject=command.person_id, roles=frozenset({Role.EMPLOYEE}))
        try:
            await apply(replace(uow, caller=person), command)
        except (NotFound, DomainError) as exc:
            log.warning("chat_action_refused", action_id=command.action_id, reason=str(exc))
