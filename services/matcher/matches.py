"""Service layer for matches: propose, list and read, accept or decline, expire, and
react to HR changes. A self-match request that fails (declined, expired) offers the
requester their next suggestion (``cascade.py``).

Each change is one versioned document write that carries the events announcing it
(outbox). Event ids are derived from the match and its version, so a retried
request or a replayed HR event never announces the same change twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from services.matcher import mapping, outgoing
from services.matcher.cascade import offer_next_suggestion
from services.matcher.deps import administered_program, caller_of, visible_match
from services.matcher.domain.lifecycle import (
    LIVE_STATES,
    Match,
    MatchState,
    flag_match,
    handle_departure,
    recheck_after_hr_change,
    respond,
    withdraw_proposal,
)
from services.matcher.domain.people import Person
from services.matcher.domain.rules import ProgramKind, ProgramRules
from services.matcher.store import Page
from services.matcher.unit_of_work import Work
from shared.api import PageParams
from shared.auth import Role
from shared.contracts import matching as contract
from shared.contracts.envelope import EventData
from shared.contracts.registry import MATCHES
from shared.mongo import ConcurrencyConflict, Document, NotFound

__all__ = [
    "answer_match",
    "assign_match",
    "expire_proposals",
    "get_match",
    "list_matches",
    "propose_match",
    "react_to_hr_changes",
    "save_match",
    "silent_member",
]

LIVE = [s.value for s in LIVE_STATES]


def propose_match(
    uow: Work,
    program: Document,
    *,
    match_id: str,
    round_id: str | None,
    members: list[dict[str, str]],
    explanation: Document,
    expires_at: datetime,
    accepted_by: str | None = None,
) -> Document:
    """A new ``proposed`` match (``Match.propose``) with ``mentoring.match.proposed``
    staged on it; for a self-match request, the requester's ``accepted`` too. The
    caller saves it (one match, or a round's in bulk)."""
    quorum = float((program.get("rules") or {}).get("activation_quorum", 1.0))
    member_ids = [m["person_id"] for m in members]
    match = Match.propose(match_id, ProgramKind(program["kind"]), member_ids, quorum=quorum)
    if accepted_by is not None:
        match = respond(match, accepted_by, accept=True)
    doc = _new_doc(uow, program, match, round_id, members, explanation, expires_at)
    doc = uow.stage(doc, MATCHES, outgoing.match_proposed(doc), event_id=f"{match_id}:proposed")
    if accepted_by is not None:
        accepted = contract.MatchAccepted(
            match_id=match_id, program_id=program["_id"], person_id=accepted_by
        )
        doc = uow.stage(doc, MATCHES, accepted, event_id=f"{match_id}:requested")
    return doc


def assign_match(
    uow: Work,
    program: Document,
    *,
    match_id: str,
    round_id: str,
    members: list[dict[str, str]],
    explanation: Document,
) -> Document:
    """A match the program's admins assign (``Match.assign``: active, nobody asked) with
    ``mentoring.match.activated`` (``assigned``) staged on it, as a match its members
    accepted would announce. The caller saves it (a round's in bulk)."""
    member_ids = [m["person_id"] for m in members]
    match = Match.assign(match_id, ProgramKind(program["kind"]), member_ids)
    doc = _new_doc(uow, program, match, round_id, members, explanation, None)
    activated = outgoing.match_activated(doc, program, uow.now, assigned=True)
    return uow.stage(doc, MATCHES, activated, event_id=f"{match_id}:assigned")


def _new_doc(
    uow: Work,
    program: Document,
    match: Match,
    round_id: str | None,
    members: list[dict[str, str]],
    explanation: Document,
    expires_at: datetime | None,
) -> Document:
    return mapping.new_match_doc(
        match,
        program_id=program["_id"],
        round_id=round_id,
        members=members,
        explanation=explanation,
        created_at=uow.now,
        expires_at=expires_at,
    )


async def list_matches(
    uow: Work,
    *,
    program_id: str | None,
    person_id: str | None,
    state: str | None,
    page: PageParams,
) -> Page:
    """Employees see their own matches; admins the matches of a program they run."""
    caller = caller_of(uow)
    if program_id is not None and caller.has(Role.PROGRAM_ADMIN, Role.SERVICE):
        await administered_program(uow, program_id)
    elif not caller.has(Role.SERVICE):
        person_id = caller.subject  # without a program of theirs, only one's own
    return await uow.store.list_matches(
        program_id=program_id, person_id=person_id, state=state, page=page
    )


async def get_match(uow: Work, *, match_id: str) -> Document:
    """A match its members or its program's admins may see; anyone else gets 404."""
    doc = await uow.store.matches.get(match_id)
    program = await uow.store.programs.get(doc["program_id"]) if doc else None
    if doc is None or program is None or not visible_match(caller_of(uow), doc, program):
        raise NotFound(f"match {match_id}")
    return doc


async def answer_match(uow: Work, *, match_id: str, accept: bool) -> Document:
    """The calling member accepts or declines; both sides accepting (or the quorum)
    activates it."""
    person_id = caller_of(uow).subject
    doc = await uow.store.matches.get(match_id)
    if doc is None or person_id not in doc["member_ids"]:
        raise NotFound(f"match {match_id}")  # no existence leak to non-members
    program = await uow.store.programs.require(doc["program_id"])
    after = respond(mapping.match_from_doc(doc), person_id, accept=accept)
    ids = {"match_id": match_id, "program_id": doc["program_id"], "person_id": person_id}
    events: list[EventData] = [
        contract.MatchAccepted(**ids) if accept else contract.MatchDeclined(**ids)
    ]
    if after.state is MatchState.ACTIVE:
        events.append(outgoing.match_activated(doc, program, uow.now))
    saved = await save_match(uow, doc, after, events)
    return await offer_next_suggestion(uow, saved)


async def expire_proposals(uow: Work) -> int:
    """Unanswered proposals past their expiry are declined (reason ``expired``), which
    frees the people for the next round or their next self-match choice."""
    expired = 0
    for doc in await uow.store.proposals_due(uow.now):
        match = mapping.match_from_doc(doc)
        declined = withdraw_proposal(match, "expired")
        event = contract.MatchDeclined(
            match_id=doc["_id"],
            program_id=doc["program_id"],
            person_id=silent_member(match),
            reason_code="expired",
        )
        try:
            saved = await save_match(uow, doc, declined, [event])
            await offer_next_suggestion(uow, saved)
            expired += 1
        except ConcurrencyConflict:
            continue  # somebody answered meanwhile; the next sweep sees the new state
    return expired


def silent_member(match: Match) -> str:
    """The first member who has not answered (whom an expiry or a withdrawal names)."""
    pending = [p for p, r in match.responses.items() if r.value == "pending"]
    return pending[0] if pending else match.member_ids[0]


async def save_match(
    uow: Work,
    doc: Document,
    after: Match,
    events: Iterable[EventData],
    *,
    audit: tuple[str, dict[str, object]] | None = None,
) -> Document:
    """Write the match's new state with the events announcing it (ids from its version)
    and, for an admin's action, its audit entry ``(action, details)`` (target: the
    program, so the program's audit trail shows it)."""
    new = mapping.changed_match_doc(doc, after, now=uow.now)
    for event in events:
        event_id = f"{doc['_id']}:{doc['version']}:{event.event_type}"
        new = uow.stage(new, MATCHES, event, event_id=event_id)
    if audit is not None:
        action, details = audit
        new = uow.audit(new, action, target=doc["program_id"], details=details)
    return await uow.store.matches.replace(new)


async def react_to_hr_changes(
    uow: Work, *, changed_ids: Sequence[str], departed_ids: Sequence[str]
) -> None:
    """Flag live matches an HR change put in breach of a hard constraint; end a leaver's.

    The people read hold every change of the batch, so one re-check per program finds
    every breach they make (a re-check per changed person found the same ones again,
    reading every match of the batch each time); the flags are told as the batch's
    first changed person's, as they were."""
    touched = list({*changed_ids, *departed_ids})
    docs = await uow.store.matches_of_people(touched, LIVE) if touched else []
    if not docs:
        return
    members = sorted({p for d in docs for p in d["member_ids"]})
    people_docs = await uow.store.people_and_managers(members)
    people = {d["_id"]: mapping.person_from_doc(d) for d in people_docs}
    for program_id in {d["program_id"] for d in docs}:
        program = await uow.store.programs.require(program_id)
        rules = mapping.rules_from_program(program, today=uow.now.date())
        program_docs = [d for d in docs if d["program_id"] == program_id]
        for person_id in departed_ids:
            for doc in program_docs:
                if person_id in doc["member_ids"]:
                    await _end_for_departure(uow, doc, person_id, rules)
        changed = [p for p in changed_ids if p in people and p not in departed_ids]
        if changed:
            await _recheck(uow, program_docs, people, changed[0], rules)


async def _recheck(
    uow: Work,
    program_docs: list[Document],
    people: dict[str, Person],
    person_id: str,
    rules: ProgramRules,
) -> None:
    """Flag the program's live matches in breach; only those are read again, as they
    are now, before they are written."""
    live = [mapping.match_from_doc(d) for d in program_docs if d["state"] in LIVE]
    breaches = recheck_after_hr_change(people[person_id], people.values(), live, rules)
    by_match: dict[str, list[str]] = {}
    for breach in breaches:
        code = getattr(breach.constraint, "value", str(breach.constraint))
        by_match.setdefault(breach.match_id, []).append(code)
    for match_id, codes in by_match.items():
        doc = await uow.store.matches.require(match_id)
        if doc["state"] in LIVE and doc["state"] != MatchState.FLAGGED.value:
            flagged = flag_match(mapping.match_from_doc(doc), ", ".join(codes))
            event = contract.MatchFlagged(
                match_id=doc["_id"],
                program_id=doc["program_id"],
                person_id=person_id,
                reason_codes=tuple(sorted(set(codes))),
            )
            await save_match(uow, doc, flagged, [event])


async def _end_for_departure(uow: Work, doc: Document, person_id: str, rules: ProgramRules) -> None:
    current = await uow.store.matches.require(doc["_id"])
    if current["state"] not in LIVE:
        return
    [after] = handle_departure(
        person_id, [mapping.match_from_doc(current)], min_group_size=rules.min_group_size
    )
    if after.state is MatchState.ENDED:
        event: EventData = contract.MatchEnded(
            match_id=doc["_id"],
            program_id=doc["program_id"],
            reason_code="member_departed",
            ended_at=uow.now,
        )
    else:  # a circle that stays large enough continues without the leaver
        event = contract.MatchFlagged(
            match_id=doc["_id"],
            program_id=doc["program_id"],
            person_id=person_id,
            reason_codes=("member_departed",),
        )
        after = flag_match(after, f"{person_id} left")
    await save_match(uow, current, after, [event])
