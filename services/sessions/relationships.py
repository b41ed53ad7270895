"""Relationships: started, paused and ended from match events; read and ended early
by their members.

Consumer writes are idempotent: the relationship id is derived from the match id,
an existing relationship is never created again, and a flag or an end already
applied is a no-op. Transitions use the envelope time as ``now``, so a replay
stages the very same events (same envelope ids) and changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from services.sessions.deps import (
    administered_program,
    caller_of,
    members_relationship,
    visible_relationship,
)
from services.sessions.domain.errors import DomainError
from services.sessions.domain.events import Outcome
from services.sessions.domain.relationships import (
    EndReason,
    Member,
    MemberRole,
    Relationship,
    RelationshipKind,
    end_relationship,
    pause_relationship,
    resume_relationship,
    start_relationship,
)
from services.sessions.mapping import from_doc, stored
from services.sessions.outgoing import stage
from services.sessions.store import PROGRAMS, RELATIONSHIPS
from services.sessions.unit_of_work import Work
from shared.auth import Role
from shared.contracts.identifiers import relationship_id_for
from shared.contracts.matching import MatchActivated, MatchEnded, MatchFlagged, MatchResumed
from shared.contracts.registry import ParsedEvent
from shared.logging import get_logger
from shared.mongo import Document

log = get_logger(__name__)

DEFAULT_DURATION_DAYS = 182


def relationship_doc(rel: Relationship, base: Document | None = None) -> Document:
    """The stored form: the domain fields, ``member_ids`` for queries, health and version."""
    doc = stored(rel, base, member_ids=list(rel.member_ids))
    if base is not None and "health" in base:
        doc["health"] = base["health"]
    doc.setdefault("health", {"state": "healthy", "reasons": []})
    return doc


def load_relationship(doc: Document) -> Relationship:
    return from_doc(Relationship, doc)


# ---- from mentoring.matches.v1 ----------------------------------------------------


def _kind_and_roles(data: MatchActivated) -> tuple[RelationshipKind, list[Member]]:
    kind = RelationshipKind(data.kind.value)
    members = []
    for m in data.members:
        role = MemberRole(m.role.value)
        if kind is RelationshipKind.PEER_GROUP and role is MemberRole.PEER:
            role = MemberRole.PARTICIPANT
        members.append(Member(m.person_id, role))
    return kind, members


def _planned_end(data: MatchActivated, program: Document | None) -> date:
    if data.planned_end is not None and data.planned_end > data.starts_on:
        return data.planned_end
    ends_on = (program or {}).get("ends_on")
    if ends_on and date.fromisoformat(ends_on) > data.starts_on:
        return date.fromisoformat(ends_on)
    return data.starts_on + timedelta(days=DEFAULT_DURATION_DAYS)


def start_from_match(
    uow: Work, data: MatchActivated, *, program: Document | None, now: datetime
) -> Document:
    """The new relationship document (events staged) for an activated match."""
    kind, members = _kind_and_roles(data)
    cadence = int((program or {}).get("cadence_days") or data.cadence_days)
    outcome = start_relationship(
        relationship_id=relationship_id_for(data.match_id),
        program_id=data.program_id,
        match_id=data.match_id,
        kind=kind,
        members=members,
        started_on=data.starts_on,
        planned_end_on=_planned_end(data, program),
        cadence_days=cadence,
        now=now,
    )
    doc = relationship_doc(outcome.state)
    return {**stage(uow, doc, outcome.events), "version": 1}


async def start(uow: Work, events: Sequence[ParsedEvent]) -> int:
    """Activated matches start their relationships (one not started yet); returns how
    many were new. Each event's own time is the start's ``now``."""
    activated = [(e.data, e.envelope.time) for e in events if isinstance(e.data, MatchActivated)]
    ids = list(dict.fromkeys(relationship_id_for(data.match_id) for data, _ in activated))
    if not ids:
        return 0
    program_ids = list({data.program_id for data, _ in activated})
    existing, programs = await asyncio.gather(  # two reads, one round trip
        uow.store.by_id(RELATIONSHIPS, ids), uow.store.by_id(PROGRAMS, program_ids)
    )
    new: dict[str, Document] = {}
    for data, at in activated:
        rid = relationship_id_for(data.match_id)
        if rid not in existing and rid not in new:
            program = programs.get(data.program_id)
            new[rid] = start_from_match(uow, data, program=program, now=at)
    await uow.store.relationships.insert_many(list(new.values()))
    return len(new)


#: The matcher's end code that completes a relationship (the program closed); any
#: other code ends it as ``match_ended``.
PROGRAM_COMPLETED = "program_completed"

MatchLifecycle = MatchFlagged | MatchResumed | MatchEnded


async def follow_match(uow: Work, events: Sequence[ParsedEvent]) -> int:
    """Flagged matches pause their relationships, resumed ones resume them, ended ones
    end them; returns how many relationships changed. A ``ConcurrencyConflict`` means
    reload and apply again."""
    runs = [(e.data, e.envelope.time) for e in events if isinstance(e.data, MatchLifecycle)]
    ids = list(dict.fromkeys(relationship_id_for(data.match_id) for data, _ in runs))
    current = await uow.store.by_id(RELATIONSHIPS, ids)
    changed: dict[str, Document] = {}
    for data, at in runs:
        rid = relationship_id_for(data.match_id)
        doc = changed.get(rid) or current.get(rid)
        if doc is None:
            log.info("match_event_without_relationship", match_id=data.match_id)
            continue
        updated = _apply_lifecycle(uow, doc, data, at)
        if updated is not None:
            changed[rid] = updated
    await uow.store.relationships.replace_many(list(changed.values()))
    return len(changed)


def _transition(rel: Relationship, data: MatchLifecycle, at: datetime) -> Outcome[Relationship]:
    """The relationship's answer to one match event; ``IllegalTransition`` when the
    event does not apply in its state (an ended relationship ignores everything)."""
    if isinstance(data, MatchFlagged):
        return pause_relationship(rel, reason="match_flagged", now=at)
    if isinstance(data, MatchResumed):
        return resume_relationship(rel, now=at)
    completed = data.reason_code == PROGRAM_COMPLETED
    reason = EndReason.COMPLETED if completed else EndReason.MATCH_ENDED
    return end_relationship(rel, reason=reason, now=at, match_reason=data.reason_code)


def _apply_lifecycle(
    uow: Work, doc: Document, data: MatchLifecycle, at: datetime
) -> Document | None:
    rel = load_relationship(doc)
    try:
        outcome = _transition(rel, data, at)
    except DomainError as exc:  # nothing to do in this state (the loop guard, a replay)
        log.info("match_event_not_applicable", reason=exc.reason)
        return None
    base = relationship_doc(outcome.state, doc)
    return stage(uow, base, outcome.events, member_ids=rel.member_ids)


# ---- members and admins -----------------------------------------------------------


async def end_early(uow: Work, *, relationship_id: str, comment: str | None) -> Document:
    """A member ends the relationship early; a closing survey is requested from all."""
    doc = await members_relationship(uow, relationship_id)
    rel = load_relationship(doc)
    outcome = end_relationship(
        rel,
        reason=EndReason.ENDED_EARLY,
        ended_by=caller_of(uow).subject,
        comment=comment,
        now=uow.now,
    )
    new = stage(
        uow, relationship_doc(outcome.state, doc), outcome.events, member_ids=rel.member_ids
    )
    return await uow.store.relationships.replace(new)


async def visible(uow: Work, *, relationship_id: str) -> Document:
    """A relationship of the caller's, or of a program they administer (else 404)."""
    return await visible_relationship(uow, relationship_id)


async def page(
    uow: Work,
    *,
    program_id: str | None,
    status: str | None,
    health: Collection[str] | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Document], int]:
    """The caller's relationships (newest first); a program admin naming a program they
    administer gets all of that program's (another program is 404)."""
    caller = caller_of(uow)
    query: dict[str, Any] = {}
    if program_id is not None and caller.has(Role.PROGRAM_ADMIN, Role.SERVICE):
        await administered_program(uow, program_id)
    else:
        query["member_ids"] = {"$in": [caller.subject]}
    if program_id:
        query["program_id"] = program_id
    if status:
        query["status"] = status
    if health:
        query["health.state"] = _in_health(set(health))
    docs, total = await uow.store.page_relationships(query, limit=limit, offset=offset)
    return await uow.store.zoned(docs), total


def _in_health(states: set[str]) -> dict[str, list[str]]:
    """The query on ``health.state`` for these states; a relationship written before
    health was kept has none and counts as healthy."""
    if "healthy" in states:
        return {"$nin": sorted({"healthy", "at_risk", "stalled"} - states)}
    return {"$in": sorted(states)}


def relationship_read(doc: Document) -> dict[str, Any]:
    """What a member sees (the private end comment is left out)."""
    rel = load_relationship(doc)
    health = doc.get("health") or {}
    return {
        "id": rel.id,
        "program_id": rel.program_id,
        "match_id": rel.match_id,
        "kind": rel.kind,
        "members": [
            {"person_id": m.person_id, "role": m.role, "time_zone": m.time_zone}
            for m in rel.members
        ],
        "started_on": rel.started_on,
        "planned_end_on": rel.planned_end_on,
        "cadence_days": rel.cadence_days,
        "status": rel.status,
        "paused_reason": rel.paused_reason,
        "ended_on": rel.ended_on,
        "end_reason": rel.end_reason,
        "ended_by": rel.ended_by,
        "closing_survey_requested": rel.closing_survey_requested,
        "health": {"state": health.get("state", "healthy"), "reasons": health.get("reasons", [])},
    }
