"""Service layer, matches in the admin's hands: resolve a flagged match (keep it, end
it, or end it and return both people to the pool) and end any live match. Only the
program's admins (anyone else: 404); each action is audited on the match's write
(target: the program, so its audit trail shows it)."""

from __future__ import annotations

from typing import Literal

from services.matcher import endings, mapping
from services.matcher.deps import administers, caller_of
from services.matcher.domain.lifecycle import LIVE_STATES, resume_match
from services.matcher.matches import save_match
from services.matcher.unit_of_work import Work
from shared.contracts.matching import MatchResumed
from shared.errors import IllegalTransition
from shared.mongo import Document, NotFound

Resolution = Literal["keep", "end", "rematch"]

#: How each resolution ends a flagged match (``keep`` resumes it instead).
END_REASONS = {"end": endings.FLAG_RESOLVED_ENDED, "rematch": endings.FLAG_RESOLVED_REMATCH}


async def _administered_match(uow: Work, match_id: str) -> Document:
    doc = await uow.store.matches.get(match_id)
    program = await uow.store.programs.get(doc["program_id"]) if doc else None
    if doc is None or program is None or not administers(caller_of(uow), program):
        raise NotFound(f"match {match_id}")
    return doc


async def resolve_match(uow: Work, *, match_id: str, action: Resolution) -> Document:
    """A flagged match (else 409 "match is not flagged"): ``keep`` makes it live again
    (``mentoring.match.resumed``); ``end`` ends it (``flag_resolved_ended``);
    ``rematch`` ends it (``flag_resolved_rematch``) and both people are back in the
    pool for the next round, while the pair itself stays excluded (matched before)."""
    doc = await _administered_match(uow, match_id)
    if doc["state"] != "flagged":
        raise IllegalTransition("match is not flagged")
    audit: endings.Audit = ("match.resolved", {"match_id": match_id, "action": action})
    if action == "keep":
        resumed = MatchResumed(match_id=match_id, program_id=doc["program_id"])
        after = resume_match(mapping.match_from_doc(doc))
        return await save_match(uow, doc, after, [resumed], audit=audit)
    return await endings.end(uow, doc, reason=END_REASONS[action], audit=audit)


async def end_match_by_admin(uow: Work, *, match_id: str, reason: str | None) -> Document:
    """End a live match (proposed, active or flagged) with ``ended_by_admin``; the
    admin's short reason is kept as the match's note and in the audit entry. A match
    that is over already: 409."""
    doc = await _administered_match(uow, match_id)
    if doc["state"] not in {s.value for s in LIVE_STATES}:
        raise IllegalTransition(f"match {match_id} is already {doc['state']}")
    audit: endings.Audit = ("match.ended", {"match_id": match_id, "reason": reason or ""})
    return await endings.end(
        uow, doc, reason=endings.ENDED_BY_ADMIN, note=reason or "", audit=audit
    )
