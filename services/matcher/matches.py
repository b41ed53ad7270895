"""Service layer for matches: accept, decline, expire, and react to HR changes.

Each change is one versioned document write that carries the events announcing it
(outbox). Event ids are derived from the match and its version, so a retried
request or a replayed HR event never announces the same change twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from services.matcher.domain import (
    LIVE_STATES,
    Match,
    MatchState,
    TransitionError,
    end_match,
    flag_match,
    handle_departure,
    recheck_after_hr_change,
    respond,
)
from services.matcher.store import MatcherStore
from services.matcher.translate import (
    explanation_contract,
    match_from_doc,
    members_contract,
    person_from_doc,
    rules_from_program,
)
from shared.contracts import matching as contract
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.registry import MATCHES
from shared.mongo import ConcurrencyConflict, Document, NotFound
from shared.outbox import stage_event

__all__ = ["TransitionError", "answer_match", "expire_proposals", "react_to_hr_changes"]

LIVE = [s.value for s in LIVE_STATES]


async def answer_match(
    store: MatcherStore, *, match_id: str, person_id: str, accept: bool, source: str, now: datetime
) -> Document:
    """A member accepts or declines; both sides accepting (or the quorum) activates it."""
    doc = await store.matches.get(match_id)
    if doc is None or person_id not in doc["member_ids"]:
        raise NotFound(f"match {match_id}")  # no existence leak to non-members
    program = await store.programs.require(doc["program_id"])
    before = match_from_doc(doc)
    after = respond(before, person_id, accept=accept)
    events: list[EventData] = []
    ids = {"match_id": match_id, "program_id": doc["program_id"], "person_id": person_id}
    if accept:
        events.append(contract.MatchAccepted(**ids))
    else:
        events.append(contract.MatchDeclined(**ids))
    if after.state is MatchState.ACTIVE:
        events.append(_activated(doc, program, now))
    return await _save(store, doc, after, events, source=source, now=now)


async def expire_proposals(store: MatcherStore, *, source: str, now: datetime) -> int:
    """Unanswered proposals past their expiry are declined (reason ``expired``), which
    frees the people for the next round or their next self-match choice."""
    due = (
        await store.db["matches"]
        .find({"state": MatchState.PROPOSED.value, "expires_at": {"$lte": now}})
        .to_list(1000)
    )
    expired = 0
    for doc in due:
        match = match_from_doc(doc)
        declined = Match(
            match.match_id,
            match.kind,
            match.member_ids,
            MatchState.DECLINED,
            match.responses,
            match.quorum,
            "expired",
        )
        event = contract.MatchDeclined(
            match_id=doc["_id"],
            program_id=doc["program_id"],
            person_id=_silent(match),
            reason_code="expired",
        )
        try:
            await _save(store, doc, declined, [event], source=source, now=now)
            expired += 1
        except ConcurrencyConflict:
            continue  # somebody answered meanwhile; the next sweep sees the new state
    return expired


def _silent(match: Match) -> str:
    pending = [p for p, r in match.responses.items() if r.value == "pending"]
    return pending[0] if pending else match.member_ids[0]


async def react_to_hr_changes(
    store: MatcherStore,
    *,
    changed_ids: Sequence[str],
    departed_ids: Sequence[str],
    source: str,
    now: datetime,
) -> None:
    """Flag live matches an HR change put in breach of a hard constraint; end a leaver's."""
    touched = list({*changed_ids, *departed_ids})
    if not touched:
        return
    docs = await store.matches_of_people(touched, LIVE)
    if not docs:
        return
    people_docs = await store.all_people()
    people = {d["_id"]: person_from_doc(d) for d in people_docs}
    programs = {d["program_id"] for d in docs}
    for program_id in programs:
        program = await store.programs.require(program_id)
        rules = rules_from_program(program, today=now.date())
        program_docs = [d for d in docs if d["program_id"] == program_id]
        for person_id in departed_ids:
            for doc in program_docs:
                if person_id in doc["member_ids"]:
                    await _end_for_departure(store, doc, person_id, rules, source, now)
        for person_id in changed_ids:
            if person_id not in people or person_id in departed_ids:
                continue
            fresh = [await store.matches.require(d["_id"]) for d in program_docs]
            live = [match_from_doc(d) for d in fresh if d["state"] in LIVE]
            breaches = recheck_after_hr_change(people[person_id], people.values(), live, rules)
            by_match: dict[str, list[str]] = {}
            for breach in breaches:
                code = getattr(breach.constraint, "value", str(breach.constraint))
                by_match.setdefault(breach.match_id, []).append(code)
            for doc in fresh:
                codes = by_match.get(doc["_id"])
                if codes and doc["state"] != MatchState.FLAGGED.value:
                    await _flag(store, doc, person_id, codes, source, now)


async def _flag(
    store: MatcherStore,
    doc: Document,
    person_id: str,
    codes: list[str],
    source: str,
    now: datetime,
) -> None:
    flagged = flag_match(match_from_doc(doc), ", ".join(codes))
    event = contract.MatchFlagged(
        match_id=doc["_id"],
        program_id=doc["program_id"],
        person_id=person_id,
        reason_codes=tuple(sorted(set(codes))),
    )
    await _save(store, doc, flagged, [event], source=source, now=now)


async def _end_for_departure(
    store: MatcherStore, doc: Document, person_id: str, rules: Any, source: str, now: datetime
) -> None:
    current = await store.matches.require(doc["_id"])
    if current["state"] not in LIVE:
        return
    [after] = handle_departure(
        person_id, [match_from_doc(current)], min_group_size=rules.min_group_size
    )
    if after.state is MatchState.ENDED:
        event: EventData = contract.MatchEnded(
            match_id=doc["_id"],
            program_id=doc["program_id"],
            reason_code="member_departed",
            ended_at=now,
        )
    else:  # a circle that stays large enough continues without the leaver
        event = contract.MatchFlagged(
            match_id=doc["_id"],
            program_id=doc["program_id"],
            person_id=person_id,
            reason_codes=("member_departed",),
        )
        after = flag_match(after, f"{person_id} left")
    await _save(store, current, after, [event], source=source, now=now)


async def end_match_by_admin(
    store: MatcherStore, *, match_id: str, reason: str, source: str, now: datetime
) -> Document:
    doc = await store.matches.require(match_id)
    after = end_match(match_from_doc(doc), reason)
    event = contract.MatchEnded(
        match_id=match_id, program_id=doc["program_id"], reason_code=reason, ended_at=now
    )
    return await _save(store, doc, after, [event], source=source, now=now)


def _activated(doc: Document, program: Document, now: datetime) -> contract.MatchActivated:
    starts_on = now.date()
    ends_on = program.get("ends_on")
    planned_end = date.fromisoformat(ends_on) if ends_on else starts_on + timedelta(days=182)
    return contract.MatchActivated(
        match_id=doc["_id"],
        program_id=doc["program_id"],
        kind=doc["kind"],
        members=members_contract(doc),
        explanation=explanation_contract(doc["explanation"]),
        starts_on=starts_on,
        planned_end=max(planned_end, starts_on + timedelta(days=1)),
        cadence_days=int(program.get("cadence_days", 14)),
    )


async def _save(
    store: MatcherStore,
    doc: Document,
    after: Match,
    events: Iterable[EventData],
    *,
    source: str,
    now: datetime,
) -> Document:
    new = {
        **doc,
        "state": after.state.value,
        "responses": {k: v.value for k, v in after.responses.items()},
        "member_ids": list(after.member_ids),
        "members": [m for m in doc["members"] if m["person_id"] in after.member_ids],
        "note": after.note,
        "updated_at": now,
    }
    for event in events:
        event_id = f"{doc['_id']}:{doc['version']}:{event.event_type}"
        envelope = Envelope.wrap(
            event, source=source, subject=doc["_id"], event_id=event_id, time=now
        )
        new = stage_event(new, MATCHES.name, envelope)
    return await store.matches.replace(new)
