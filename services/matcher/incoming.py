"""Incoming events: the handlers of the matcher's table (``bootstrap.py``). Each
translates a run of one event type into service calls, as a route does for HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from services.matcher import endings, matches, projections
from services.matcher.erasure import erase_person
from services.matcher.unit_of_work import Work
from shared.auth import Principal, Role
from shared.contracts.chat import ChatAction, ChatActionRequested
from shared.contracts.identifiers import match_id_of
from shared.contracts.registry import ParsedEvent
from shared.contracts.sessions import RelationshipEnded
from shared.errors import DomainError
from shared.logging import get_logger
from shared.mongo import NotFound
from shared.service import replay_safe

log = get_logger(__name__)

#: The chat actions the matcher applies: a match's answer, accept or not.
MATCH_ANSWERS = {ChatAction.MATCH_ACCEPT: True, ChatAction.MATCH_DECLINE: False}


def _person_ids(events: Sequence[ParsedEvent]) -> list[str]:
    return [getattr(e.data, "person_id") for e in events]  # noqa: B009


@replay_safe
async def on_person_upserted(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Keep the people projection; re-check live matches of people whose facts changed.
    Replay-safe: the projection keeps each person's newest facts, and a re-check judges
    the facts held, whichever event asked for it."""
    await projections.people_upserted(uow, events)
    await matches.react_to_hr_changes(uow, changed_ids=_person_ids(events), departed_ids=[])


async def on_person_departed(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """A departure ends the person's live matches. Not replay-safe: a late copy of a
    departure, after the person came back, would end their new matches."""
    await projections.people_departed(uow, events)
    await matches.react_to_hr_changes(uow, changed_ids=[], departed_ids=_person_ids(events))


async def on_person_erased(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """An erased person's matches end as for a departure, then their data goes."""
    await projections.people_erased(uow, events)
    await matches.react_to_hr_changes(uow, changed_ids=[], departed_ids=_person_ids(events))
    for person_id in dict.fromkeys(_person_ids(events)):
        await erase_person(uow, person_id)


async def on_relationship_ended(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """A member ended the relationship early in sessions: its match ends (and frees
    the mentor's capacity). Other endings came from the matcher and are ignored."""
    for event in events:
        ended = event.data
        if not isinstance(ended, RelationshipEnded):  # the table sends only these
            continue
        match_id = match_id_of(ended.relationship_id)
        if ended.reason_code == "ended_early" and match_id is not None:
            await endings.end_by_member(uow, match_id=match_id)


async def on_chat_action(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """A person accepted or declined a match from Slack or Teams: the same service call
    as ``POST /matches/{id}/answer``, with that person as the caller, so the same rules
    hold (not their match, or already answered: refused and logged, not dead-lettered).
    Other chat actions belong to sessions."""
    for event in events:
        command = event.data
        if not isinstance(command, ChatActionRequested) or command.action not in MATCH_ANSWERS:
            continue
        person = Principal(subject=command.person_id, roles=frozenset({Role.EMPLOYEE}))
        try:
            await matches.answer_match(
                replace(uow, caller=person),
                match_id=command.target_id,
                accept=MATCH_ANSWERS[command.action],
            )
        except (NotFound, DomainError) as exc:
            log.warning("chat_action_refused", action_id=command.action_id, reason=str(exc))


async def expire_unanswered_proposals(uow: Work) -> int:
    """Timer: proposals past their expiry are declined for silence."""
    return await matches.expire_proposals(uow)
