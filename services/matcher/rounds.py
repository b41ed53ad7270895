"""Service layer for matching rounds: preview a draft, adjust it, read it, publish it.

A draft is solved from the program's current pool (``pool.py``), stored as a round
document plus one proposal document per match (a 100k-person round would not fit one
MongoDB document), and published as ``proposed`` matches (``Match.propose``), each
announced by ``mentoring.match.proposed``, or as active ones where the program's
matches start on publish. Every step is for the program's admins and
is audited on the round document itself. Solving is CPU work and runs in a thread so
the API keeps answering.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from datetime import timedelta
from itertools import combinations

from services.matcher.deps import administered_program, administered_round
from services.matcher.domain.circles import CircleResult
from services.matcher.domain.explain import MatchExplanation
from services.matcher.domain.pairing import ProgramInput
from services.matcher.domain.people import Role
from services.matcher.domain.results import MatchingResult, ProposedPair
from services.matcher.domain.rounds import (
    AdjustmentError,
    RoundAdjustments,
    solve_group_round,
    solve_round,
    swap_mentees,
)
from services.matcher.domain.rules import ExcludedPairs, ProgramKind
from services.matcher.mapping import proposal_docs, unmatched_docs
from services.matcher.matches import assign_match, propose_match
from services.matcher.people import require_people
from services.matcher.pool import pool_state, program_pool_input
from services.matcher.program_settings import MatchStart
from services.matcher.store import Page
from services.matcher.unit_of_work import Work
from shared.api import PageParams
from shared.errors import IllegalTransition
from shared.metrics import observe_round
from shared.mongo import Document, NotFound

__all__ = [
    "AdjustmentError",
    "RoundRefused",
    "adjust_round",
    "get_round",
    "list_proposals",
    "preview_round",
    "publish_round",
]

Pair = tuple[str, str]


class RoundRefused(IllegalTransition):
    """The round cannot be run or changed as asked (409 with this message)."""


async def preview_round(uow: Work, *, program_id: str) -> Document:
    """Solve a draft over the current pool; nothing is published."""
    started = time.perf_counter()
    program = await administered_program(uow, program_id)
    if program.get("status") != "open":
        raise RoundRefused(f"program {program_id} is {program.get('status')}")
    if ProgramKind(program["kind"]) is ProgramKind.FLASH:
        raise RoundRefused(
            "a flash program has no matching rounds: people book each other's offered slots"
        )
    doc: Document = {
        "_id": str(uuid.uuid4()),
        "program_id": program_id,
        "kind": program["kind"],
        "status": "draft",
        "created_at": uow.now,
        "locked": [],
        "forbidden": [],
    }
    doc = await _solve_into(uow, program, doc, RoundAdjustments())
    details = {"round_id": doc["_id"], "proposals": doc["proposal_count"]}
    doc = uow.audit(doc, "round.previewed", target=program_id, details=details)
    doc = await uow.store.rounds.insert(doc)
    observe_round("preview", doc["kind"], started, doc["proposal_count"])
    return doc


async def adjust_round(
    uow: Work, *, round_id: str, lock: list[Pair], forbid: list[Pair], swap: list[Pair]
) -> Document:
    """Apply admin edits (lock, forbid, swap two mentees) and re-solve the draft."""
    doc, program = await administered_round(uow, round_id)
    if doc["status"] != "draft":
        raise RoundRefused(f"round {round_id} is {doc['status']}; only drafts change")
    for field, pairs in (("lock", lock), ("forbid", forbid), ("swap", swap)):
        await require_people(uow, field, [p for pair in pairs for p in pair])
    adjustments = RoundAdjustments(
        tuple((a, b) for a, b in doc["locked"]),
        frozenset((a, b) for a, b in doc["forbidden"]),
    )
    for a, b in forbid:
        adjustments = adjustments.forbid_pair(a, b)
    for a, b in lock:
        adjustments = adjustments.lock_pair(a, b)
    if swap:
        draft = await _draft_pairs(uow, round_id)
        for mentee_a, mentee_b in swap:
            adjustments = swap_mentees(draft, adjustments, mentee_a, mentee_b)
    doc = await _solve_into(uow, program, doc, adjustments)
    edits = {"lock": _pairs(lock), "forbid": _pairs(forbid), "swap": _pairs(swap)}
    doc = uow.audit(
        doc, "round.adjusted", target=doc["program_id"], details={"round_id": round_id, **edits}
    )
    return await uow.store.rounds.replace(doc)


def _pairs(pairs: list[Pair]) -> list[dict[str, str]]:
    return [{"first": a, "second": b} for a, b in pairs]


async def get_round(uow: Work, *, round_id: str) -> Document:
    doc, _ = await administered_round(uow, round_id)
    return doc


async def list_proposals(uow: Work, *, round_id: str, page: PageParams) -> Page:
    """The draft's proposals in solver order."""
    doc, _ = await administered_round(uow, round_id)
    found = await uow.store.proposals_from(round_id, offset=page.offset, limit=page.limit)
    return found, int(doc.get("proposal_count") or 0)


async def publish_round(uow: Work, *, round_id: str) -> Document:
    """Turn every proposal into a ``proposed`` match (``Match.propose``), each announced
    by ``mentoring.match.proposed``, or, in a program whose matches start on publish,
    into an active one (``Match.assign``, ``mentoring.match.activated``); publishing
    twice makes nothing new."""
    started = time.perf_counter()
    doc, program = await administered_round(uow, round_id)
    if doc["status"] != "published":
        if program.get("status") != "open":
            raise RoundRefused(f"program {program['_id']} is {program.get('status')}")
        proposals = await _unblocked(uow, await _stored_proposals(uow, doc))
        await _refuse_if_stale(uow, program, doc, proposals)
        await uow.store.insert_matches(_published_matches(uow, program, round_id, proposals))
        doc = {**doc, "status": "published", "published_at": uow.now}
        observe_round("publish", doc["kind"], started, len(proposals))
    details = {"round_id": round_id, "proposals": doc["proposal_count"]}
    doc = uow.audit(doc, "round.published", target=doc["program_id"], details=details)
    return await uow.store.rounds.replace(doc)


def _published_matches(
    uow: Work, program: Document, round_id: str, proposals: list[Document]
) -> list[Document]:
    """The round's matches as the program starts them (``matches_start``): proposed to
    their members until the proposal time runs out, or assigned and active at once."""
    assigned = program.get("matches_start") == MatchStart.ON_PUBLISH
    expires_at = uow.now + timedelta(hours=int(program.get("proposal_ttl_hours", 168)))
    matches: list[Document] = []
    for p in proposals:
        match_id = match_id_for(round_id, p["member_ids"])
        made = {"round_id": round_id, "members": p["members"], "explanation": p["explanation"]}
        matches.append(
            assign_match(uow, program, match_id=match_id, **made)
            if assigned
            else propose_match(uow, program, match_id=match_id, expires_at=expires_at, **made)
        )
    return matches


async def _stored_proposals(uow: Work, doc: Document) -> list[Document]:
    """The draft's proposals, all of them: a draft whose stored proposals are not its count
    (stored by an earlier version in another shape, or being solved again) is refused."""
    proposals = await uow.store.proposals_of_round(doc["_id"])
    if len(proposals) != doc.get("proposal_count"):
        raise RoundRefused(
            f"draft {doc['_id']} holds {len(proposals)} of its {doc.get('proposal_count')} "
            "proposals; preview a new round"
        )
    return proposals


async def _unblocked(uow: Work, proposals: list[Document]) -> list[Document]:
    """The proposals in which nobody blocked anyone since the draft was solved (the
    others are left out quietly: a block is never shown to an admin)."""
    blocked = ExcludedPairs.of(blocked=await uow.store.blocked_pairs())
    return [
        p
        for p in proposals
        if not any(blocked.blocks(a, b) for a, b in combinations(p["member_ids"], 2))
    ]


async def _refuse_if_stale(
    uow: Work, program: Document, doc: Document, proposals: list[Document]
) -> None:
    """A draft is published only if everyone in it is still in the pool, with enough
    places (a mentor's capacity): not withdrawn, departed, or matched since by another
    published draft or request (409, preview again)."""
    places = (await pool_state(uow, program)).places
    wanted = Counter(p for proposal in proposals for p in proposal["member_ids"])
    gone = sorted(p for p, n in wanted.items() if n > places.get(p, 0))
    if gone:
        raise RoundRefused(
            f"draft {doc['_id']} is stale: {', '.join(gone[:5])}"
            f"{' and others' if len(gone) > 5 else ''} no longer in the pool "
            "(withdrawn, departed or matched since); preview a new round"
        )


def match_id_for(round_id: str, member_ids: list[str]) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{round_id}/{'/'.join(sorted(member_ids))}"))


async def _solve_into(
    uow: Work, program: Document, doc: Document, adjustments: RoundAdjustments
) -> Document:
    """Solve the draft, store its proposals, and return the round document with the
    outcome (what was locked and forbidden, the score, who stayed unmatched and why)."""
    timings: dict[str, float] = {}
    program_input = await program_pool_input(uow, program, timings)
    result, proposals = await asyncio.to_thread(
        _solved, doc["_id"], program_input, adjustments, timings
    )
    written = time.perf_counter()
    await uow.store.replace_proposals(doc["_id"], proposals)
    timings["write_seconds"] = time.perf_counter() - written
    score = result.objective if isinstance(result, CircleResult) else result.total_score
    return {
        **doc,
        "locked": [list(p) for p in adjustments.locked],
        "forbidden": sorted(list(p) for p in adjustments.forbidden),
        "proposal_count": len(proposals),
        "unmatched": unmatched_docs(result),
        "total_score": round(float(score), 6),
        "stats": {k: float(v) for k, v in (result.stats | timings).items()},
        "solved_at": uow.now,
    }


def _solved(
    round_id: str, program: ProgramInput, adjustments: RoundAdjustments, timings: dict[str, float]
) -> tuple[MatchingResult | CircleResult, list[Document]]:
    """The draft and its proposal documents, off the event loop (at 100k pairs building
    the documents alone is seconds of Python work)."""
    started = time.perf_counter()
    if program.rules.kind is ProgramKind.PEER_GROUP:
        result: MatchingResult | CircleResult = solve_group_round(program, adjustments)
    else:
        result = solve_round(program, adjustments)
    solved = time.perf_counter()
    proposals = proposal_docs(round_id, result)
    timings["solve_total_seconds"] = solved - started
    timings["proposal_docs_seconds"] = time.perf_counter() - solved
    return result, proposals


async def _draft_pairs(uow: Work, round_id: str) -> MatchingResult:
    """Enough of the stored draft for ``swap_mentees`` (which reads mentor-mentee pairs)."""
    proposals = await uow.store.proposals_of_round(round_id)
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
