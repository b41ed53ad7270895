"""Self-match: a participant browses ranked suggestions and requests a partner.

A request is a ``proposed`` match the requester has already accepted; the partner
accepts (activation) or declines through the usual answer endpoint. An unanswered
request expires with the others (``expire_proposals``); the pair is then excluded
from the requester's suggestions, so the next choice moves up and is offered.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from services.matcher.deps import caller_of
from services.matcher.domain.suggestions import partner_suggestion, suggest_partners
from services.matcher.mapping import explanation_doc
from services.matcher.matches import propose_match
from services.matcher.people import require_people
from services.matcher.pool import asker_reads, suggestion_pool
from services.matcher.unit_of_work import Work
from shared.errors import IllegalTransition
from shared.mongo import Document, NotFound

MAX_SUGGESTIONS = 50


class SelfMatchRefused(IllegalTransition):
    """Not possible in this program or for this person right now (409)."""


async def suggestions(uow: Work, *, program_id: str, limit: int) -> list[dict[str, object]]:
    """Partners the caller may request, best first, each with its explanation. Every
    read goes out at once (``pool.asker_reads``): one wait in the database's queue."""
    person_id = caller_of(uow).subject
    program, reads = await asyncio.gather(
        _self_match_program(uow, program_id), asker_reads(uow, program_id, person_id)
    )
    pool = await suggestion_pool(uow, program, person_id, reads)
    if person_id not in pool:
        raise SelfMatchRefused(
            f"{person_id} is not in the pool of {program_id} (not enrolled, or already matched)"
        )
    ranked = await asyncio.to_thread(
        suggest_partners,
        pool.program,
        person_id,
        limit=limit,
        available=pool.available,
        index=pool.partners,
    )
    return [
        {
            "person_id": s.person_id,
            "role": s.role.value,
            "explanation": explanation_doc(s.explanation),
        }
        for s in ranked
    ]


async def request_partner(uow: Work, *, program_id: str, partner: str) -> Document:
    """A proposal the caller (the requester) already accepted; the partner answers."""
    requester = caller_of(uow).subject
    program = await _self_match_program(uow, program_id)
    await require_people(uow, "partner_id", [partner])
    pool = await suggestion_pool(uow, program, requester)
    if requester not in pool:
        raise SelfMatchRefused(f"{requester} is not in the pool of {program_id}")
    choice = await asyncio.to_thread(
        partner_suggestion,
        pool.program,
        requester,
        partner,
        available=pool.available,
        index=pool.partners,
    )
    if choice is None:
        raise SelfMatchRefused(f"{partner} is not an eligible partner for {requester}")
    table = pool.program.table
    requester_role = table.roles[table.row_index[requester]].value
    members = [
        {"person_id": requester, "role": requester_role},
        {"person_id": partner, "role": choice.role.value},
    ]
    if requester_role == "mentee":  # pairs are stored (mentor, mentee)
        members.reverse()
    match_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"self/{program_id}/{requester}/{partner}"))
    existing = await uow.store.matches.get(match_id)
    if existing is not None:
        return existing
    doc = propose_match(
        uow,
        program,
        match_id=match_id,
        round_id=None,
        members=members,
        explanation=explanation_doc(choice.explanation),
        expires_at=uow.now + timedelta(hours=int(program.get("proposal_ttl_hours", 168))),
        accepted_by=requester,
    )
    return await uow.store.matches.insert(doc)


async def _self_match_program(uow: Work, program_id: str) -> Document:
    program = await uow.store.programs.get(program_id)
    if program is None:
        raise NotFound(f"program {program_id}")
    if program.get("status") != "open":
        raise SelfMatchRefused(f"program {program_id} is {program.get('status')}")
    if program["kind"] == "flash":
        raise SelfMatchRefused(
            "a flash program has no suggestions or partner requests: book an offered slot "
            "in sessions instead"
        )
    if program.get("matching_mode") != "self_match":
        raise SelfMatchRefused(f"program {program_id} does not use self-match")
    if program["kind"] == "peer_group":
        raise SelfMatchRefused("circles are formed by rounds, not by self-match")
    return program
