"""The self-match cascade: when a request expires or its partner declines, the
requester is offered their next suggestion (``mentoring.match.suggested``, which the
notifier delivers), ranked as ``GET /suggestions`` ranks it. The pair that just failed
is excluded (matched before), and so is whoever declined."""

from __future__ import annotations

import asyncio

from services.matcher.domain.suggestions import suggest_partners
from services.matcher.pool import suggestion_pool
from services.matcher.unit_of_work import Work
from shared.contracts.matching import MatchSuggested
from shared.contracts.registry import MATCHES
from shared.mongo import Document


def _requester(doc: Document) -> str | None:
    """Who asked: a request is proposed with the requester's answer already given."""
    if doc.get("round_id") is not None or doc["state"] != "declined":
        return None
    return next((p for p, r in doc["responses"].items() if r == "accepted"), None)


async def offer_next_suggestion(uow: Work, doc: Document) -> Document:
    """``doc``, a request just declined or expired, with ``mentoring.match.suggested``
    staged on it (one write) when the requester has a next suggestion; else unchanged."""
    requester = _requester(doc)
    if requester is None:
        return doc
    program = await uow.store.programs.require(doc["program_id"])
    if program.get("matching_mode") != "self_match":
        return doc
    pool = await suggestion_pool(uow, program, requester)
    if requester not in pool:
        return doc
    others = {p for p in doc["member_ids"] if p != requester}
    ranked = await asyncio.to_thread(
        suggest_partners,
        pool.program,
        requester,
        limit=len(others) + 1,
        available=pool.available,
        index=pool.partners,
    )
    choice = next((s for s in ranked if s.person_id not in others), None)
    if choice is None:
        return doc
    suggested = MatchSuggested(
        match_id=doc["_id"],
        program_id=doc["program_id"],
        person_id=requester,
        suggested_person_id=choice.person_id,
    )
    staged = uow.stage(doc, MATCHES, suggested, event_id=f"{doc['_id']}:suggested")
    return await uow.store.matches.replace(staged)
