"""Service layer for matching rounds: preview a draft, adjust it, publish it.

A draft is solved from the program's current pool (enrolled people not in a live
match; mentors with free capacity), stored as a round document plus one proposal
document per match (a 100k-person round would not fit one MongoDB document), and
published as ``proposed`` matches, each announced by ``mentoring.match.proposed``.
Solving is CPU work and runs in a thread so the API keeps answering.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import InsertOne
from pymongo.errors import BulkWriteError

from services.matcher.domain import (
    ExcludedPairs,
    MatchingResult,
    ProgramKind,
    people_in_pool,
    prepare_program,
    remaining_capacity,
)
from services.matcher.domain.circles import CircleResult
from services.matcher.domain.rounds import (
    AdjustmentError,
    RoundAdjustments,
    solve_group_round,
    solve_round,
    swap_mentees,
)
from services.matcher.store import PROPOSALS, MatcherStore
from services.matcher.translate import (
    enrollment_from_doc,
    explanation_contract,
    explanation_doc,
    match_from_doc,
    members_contract,
    person_from_doc,
    rules_from_program,
)
from shared.contracts.envelope import Envelope
from shared.contracts.matching import MatchAccepted, MatchProposed
from shared.contracts.registry import MATCHES
from shared.mongo import Document, NotFound, duplicate_keys_only
from shared.outbox import stage_event

__all__ = ["AdjustmentError", "RoundRefused", "adjust_round", "preview_round", "publish_round"]


class RoundRefused(Exception):
    """The round cannot be run or changed as asked (409 with this message)."""


async def preview_round(store: MatcherStore, *, program_id: str, now: datetime) -> Document:
    """Solve a draft over the current pool; nothing is published."""
    program = await store.programs.require(program_id)
    if program.get("status") != "open":
        raise RoundRefused(f"program {program_id} is {program.get('status')}")
    round_id = str(uuid.uuid4())
    doc: Document = {
        "_id": round_id,
        "program_id": program_id,
        "kind": program["kind"],
        "status": "draft",
        "created_at": now,
        "locked": [],
        "forbidden": [],
    }
    doc = await _solve_into(store, program, doc, RoundAdjustments(), now)
    return await store.rounds.insert(doc)


async def adjust_round(
    store: MatcherStore,
    *,
    round_id: str,
    lock: list[tuple[str, str]],
    forbid: list[tuple[str, str]],
    swap: list[tuple[str, str]],
    now: datetime,
) -> Document:
    """Apply admin edits (lock, forbid, swap two mentees) and re-solve the draft."""
    doc = await store.rounds.require(round_id)
    if doc["status"] != "draft":
        raise RoundRefused(f"round {round_id} is {doc['status']}; only drafts change")
    program = await store.programs.require(doc["program_id"])
    adjustments = RoundAdjustments(
        tuple(tuple(p) for p in doc["locked"]),  # type: ignore[misc]
        frozenset(tuple(p) for p in doc["forbidden"]),  # type: ignore[misc]
    )
    for a, b in forbid:
        adjustments = adjustments.forbid_pair(a, b)
    for a, b in lock:
        adjustments = adjustments.lock_pair(a, b)
    if swap:
        draft = await _draft_pairs(store, round_id)
        for mentee_a, mentee_b in swap:
            adjustments = swap_mentees(draft, adjustments, mentee_a, mentee_b)
    doc = await _solve_into(store, program, doc, adjustments, now)
    return await store.rounds.replace(doc)


async def publish_round(
    store: MatcherStore, *, round_id: str, source: str, now: datetime
) -> Document:
    """Turn every proposal into a ``proposed`` match; publishing twice changes nothing."""
    doc = await store.rounds.require(round_id)
    if doc["status"] == "published":
        return doc
    program = await store.programs.require(doc["program_id"])
    expires_at = now + timedelta(hours=int(program.get("proposal_ttl_hours", 168)))
    quorum = float((program.get("rules") or {}).get("activation_quorum", 1.0))
    proposals = await store.db[PROPOSALS].find({"round_id": round_id}).sort("index", 1).to_list()
    operations = [
        InsertOne(_match_doc(program, doc, p, now, expires_at, quorum, source)) for p in proposals
    ]
    for start in range(0, len(operations), 1000):
        try:
            await store.db["matches"].bulk_write(operations[start : start + 1000], ordered=False)
        except BulkWriteError as exc:  # a retried publish: those matches exist already
            if not duplicate_keys_only(exc):
                raise
    return await store.rounds.replace({**doc, "status": "published", "published_at": now})


def match_id_for(round_id: str, member_ids: list[str]) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{round_id}/{'/'.join(sorted(member_ids))}"))


def _match_doc(
    program: Document,
    round_doc: Document,
    proposal: Document,
    now: datetime,
    expires_at: datetime,
    quorum: float,
    source: str,
) -> Document:
    member_ids = [m["person_id"] for m in proposal["members"]]
    return new_match_doc(
        program,
        match_id=match_id_for(round_doc["_id"], member_ids),
        round_id=round_doc["_id"],
        members=proposal["members"],
        explanation=proposal["explanation"],
        quorum=quorum,
        now=now,
        expires_at=expires_at,
        source=source,
    )


def new_match_doc(
    program: Document,
    *,
    match_id: str,
    round_id: str | None,
    members: list[dict[str, str]],
    explanation: Document,
    quorum: float,
    now: datetime,
    expires_at: datetime,
    source: str,
    accepted_by: str | None = None,
) -> Document:
    """A ``proposed`` match with ``mentoring.match.proposed`` (and, for a self-match
    request, the requester's ``accepted``) staged in the same write."""
    member_ids = [m["person_id"] for m in members]
    doc: Document = {
        "_id": match_id,
        "version": 1,
        "program_id": program["_id"],
        "round_id": round_id,
        "kind": program["kind"],
        "members": members,
        "member_ids": member_ids,
        "explanation": explanation,
        "state": "proposed",
        "responses": {p: "accepted" if p == accepted_by else "pending" for p in member_ids},
        "quorum": quorum if program["kind"] == ProgramKind.PEER_GROUP.value else 1.0,
        "created_at": now,
        "expires_at": expires_at,
    }
    proposed = MatchProposed(
        match_id=match_id,
        program_id=program["_id"],
        round_id=round_id,
        kind=program["kind"],
        members=members_contract(doc),
        explanation=explanation_contract(explanation),
        expires_at=expires_at,
    )
    doc = stage_event(
        doc,
        MATCHES.name,
        Envelope.wrap(
            proposed, source=source, subject=match_id, event_id=f"{match_id}:proposed", time=now
        ),
    )
    if accepted_by is not None:
        accepted = MatchAccepted(
            match_id=match_id, program_id=program["_id"], person_id=accepted_by
        )
        doc = stage_event(
            doc,
            MATCHES.name,
            Envelope.wrap(
                accepted,
                source=source,
                subject=match_id,
                event_id=f"{match_id}:requested",
                time=now,
            ),
        )
    return doc


async def _solve_into(
    store: MatcherStore,
    program: Document,
    doc: Document,
    adjustments: RoundAdjustments,
    now: datetime,
) -> Document:
    program_input = await program_pool_input(store, program, now)
    kind = ProgramKind(program["kind"])
    if kind is ProgramKind.PEER_GROUP:
        result: MatchingResult | CircleResult = await asyncio.to_thread(
            solve_group_round, program_input, adjustments
        )
    else:
        result = await asyncio.to_thread(solve_round, program_input, adjustments)
    proposals = _proposals(doc["_id"], result)
    await store.db[PROPOSALS].delete_many({"round_id": doc["_id"]})
    for start in range(0, len(proposals), 2000):
        await store.db[PROPOSALS].insert_many(proposals[start : start + 2000])
    unmatched = [
        {
            "person_id": u.person_id,
            "role": u.role.value,
            "reason": u.reason.value,
            "constraint": u.constraint.value if u.constraint else None,
            "detail": u.detail,
        }
        for u in result.unmatched
    ]
    score = result.objective if isinstance(result, CircleResult) else result.total_score
    return {
        **doc,
        "locked": [list(p) for p in adjustments.locked],
        "forbidden": sorted(list(p) for p in adjustments.forbidden),
        "proposal_count": len(proposals),
        "unmatched": unmatched,
        "total_score": round(float(score), 6),
        "stats": {k: float(v) for k, v in result.stats.items()},
        "solved_at": datetime.now(UTC),
    }


def _proposals(round_id: str, result: MatchingResult | CircleResult) -> list[Document]:
    out: list[Document] = []
    if isinstance(result, CircleResult):
        for i, circle in enumerate(result.circles):
            members = [{"person_id": p, "role": "peer"} for p in circle.member_ids]
            out.append(_proposal(round_id, i, members, explanation_doc(circle.explanation), False))
        return out
    for i, pair in enumerate(result.pairs):
        members = [
            {"person_id": p, "role": r.value}
            for p, r in zip(pair.person_ids, pair.roles, strict=True)
        ]
        out.append(_proposal(round_id, i, members, explanation_doc(pair.explanation), pair.locked))
    return out


def _proposal(
    round_id: str, index: int, members: list[dict[str, str]], explanation: Document, locked: bool
) -> Document:
    return {
        "_id": f"{round_id}:{index:06d}",
        "round_id": round_id,
        "index": index,
        "members": members,
        "member_ids": [m["person_id"] for m in members],
        "explanation": explanation,
        "locked": locked,
    }


async def program_pool_input(store: MatcherStore, program: Document, now: datetime) -> Any:
    """The program's current pool, encoded for the domain (people not in a live match)."""
    program_id = program["_id"]
    enrollment_docs = await store.active_enrollments(program_id)
    match_docs = await store.matches_of_program(program_id)
    matches = [match_from_doc(d) for d in match_docs]
    enrollments = [enrollment_from_doc(d) for d in enrollment_docs]
    pool = people_in_pool(enrollments, matches)
    free = remaining_capacity(enrollments, matches)
    people_docs = await store.all_people()
    departed = {d["_id"] for d in people_docs if d.get("departed_on")}
    pooled = [
        enrollment_from_doc(d, capacity=free.get(d["person_id"]))
        if d["role"] == "mentor"
        else enrollment_from_doc(d)
        for d in enrollment_docs
        if d["person_id"] in pool and d["person_id"] not in departed
    ]
    previously = [
        (a, b)
        for d in match_docs
        for i, a in enumerate(d["member_ids"])
        for b in d["member_ids"][i + 1 :]
    ]
    people = [person_from_doc(d) for d in people_docs]
    rules = rules_from_program(program, today=now.date())
    return await asyncio.to_thread(
        prepare_program, people, pooled, rules, ExcludedPairs.of(previously_matched=previously)
    )


async def _draft_pairs(store: MatcherStore, round_id: str) -> MatchingResult:
    """Enough of the stored draft for ``swap_mentees`` (which reads mentor-mentee pairs)."""
    from services.matcher.domain import ProposedPair, Role
    from services.matcher.domain.explain import MatchExplanation

    proposals = await store.db[PROPOSALS].find({"round_id": round_id}).to_list()
    if not proposals:
        raise NotFound(f"proposals of round {round_id}")
    empty = MatchExplanation(0.0, (), ())
    pairs = tuple(
        ProposedPair(
            (p["members"][0]["person_id"], p["members"][1]["person_id"]),
            (Role(p["members"][0]["role"]), Role(p["members"][1]["role"])),
            empty,
        )
        for p in proposals
        if len(p["members"]) == 2
    )
    return MatchingResult(ProgramKind.REVERSE_MENTORING, pairs, (), 0.0)
