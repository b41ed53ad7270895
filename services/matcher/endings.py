"""Ending matches for a reason: a program closes, a member withdraws their enrollment,
a member ends the relationship in sessions, an admin ends or resolves a match.

A proposal still waiting for answers is declined (``mentoring.match.declined`` with
the reason); a running match (active or flagged) ends (``mentoring.match.ended``).
Each is one versioned write of the match carrying its event (``matches.save_match``).
"""

from __future__ import annotations

from services.matcher import mapping
from services.matcher.domain.lifecycle import (
    LIVE_STATES,
    MatchState,
    end_match,
    withdraw_proposal,
)
from services.matcher.matches import save_match, silent_member
from services.matcher.unit_of_work import Work
from shared.contracts import matching as contract
from shared.mongo import ConcurrencyConflict, Document

#: Match end reasons (``MatchEnded.reason_code``), the cross-service vocabulary.
PROGRAM_COMPLETED = "program_completed"
ENDED_BY_ADMIN = "ended_by_admin"
FLAG_RESOLVED_ENDED = "flag_resolved_ended"
FLAG_RESOLVED_REMATCH = "flag_resolved_rematch"
ENDED_BY_MEMBER = "ended_by_member"
ENROLLMENT_WITHDRAWN = "enrollment_withdrawn"

Audit = tuple[str, dict[str, object]]
LIVE = frozenset(s.value for s in LIVE_STATES)


async def end(
    uow: Work, doc: Document, *, reason: str, note: str = "", audit: Audit | None = None
) -> Document:
    """End a live match (any live state) with ``mentoring.match.ended``."""
    after = end_match(mapping.match_from_doc(doc), note or reason)
    event = contract.MatchEnded(
        match_id=doc["_id"], program_id=doc["program_id"], reason_code=reason, ended_at=uow.now
    )
    return await save_match(uow, doc, after, [event], audit=audit)


async def close_out(
    uow: Work, doc: Document, *, reason: str, person_id: str | None = None
) -> Document:
    """A proposal is declined (on ``person_id``'s behalf, else its first silent member);
    an active or flagged match ends. Both with ``reason``."""
    match = mapping.match_from_doc(doc)
    if match.state is not MatchState.PROPOSED:
        return await end(uow, doc, reason=reason)
    event = contract.MatchDeclined(
        match_id=doc["_id"],
        program_id=doc["program_id"],
        person_id=person_id or silent_member(match),
        reason_code=reason,
    )
    return await save_match(uow, doc, withdraw_proposal(match, reason), [event])


async def end_by_member(uow: Work, *, match_id: str) -> Document | None:
    """A member ended the relationship in sessions (``ended_early``): the match ends
    with ``ended_by_member`` (freeing the mentor's capacity for the next round), unless
    it is over already (the loop guard: nothing is announced twice)."""
    for attempt in range(3):  # an admin or HR may change the match at the same moment
        doc = await uow.store.matches.get(match_id)
        if doc is None or doc["state"] not in LIVE:
            return None
        try:
            return await end(uow, doc, reason=ENDED_BY_MEMBER)
        except ConcurrencyConflict:
            if attempt == 2:
                raise
    return None


async def close_out_person(uow: Work, *, program_id: str, person_id: str) -> int:
    """The person withdrew from the program: their proposals are declined on their
    behalf and their running matches end, with ``enrollment_withdrawn``."""
    live = await uow.store.live_matches(program_id, person_id=person_id)
    for doc in live:
        await close_out(uow, doc, reason=ENROLLMENT_WITHDRAWN, person_id=person_id)
    return len(live)
