"""Service layer for relationships: from match events, member views, ending early.

Consumer writes are idempotent: the relationship id is derived from the match id,
an existing relationship is never created again, and a flag or an end already
applied is a no-op. Transitions use the envelope time as ``now``, so a replay
stages the very same events (same envelope ids) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pymongo import InsertOne, ReplaceOne
from pymongo.errors import BulkWriteError

from services.sessions.domain import (
    DomainError,
    EndReason,
    Member,
    MemberRole,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
    end_relationship,
    pause_relationship,
    start_relationship,
)
from services.sessions.mapping import from_doc, to_doc
from services.sessions.outgoing import stage
from services.sessions.store import RELATIONSHIPS, SessionsStore
from shared.contracts.identifiers import relationship_id_for
from shared.contracts.matching import MatchActivated, MatchEnded, MatchFlagged
from shared.contracts.registry import ParsedEvent
from shared.logging import get_logger
from shared.mongo import ConcurrencyConflict, Document, NotFound, duplicate_keys_only

log = get_logger(__name__)

DEFAULT_DURATION_DAYS = 182
MAX_CONFLICT_RETRIES = 5


def relationship_doc(rel: Relationship, base: Document | None = None) -> Document:
    """The stored form: the domain fields, ``member_ids`` for queries, health and version."""
    doc = to_doc(rel)
    doc["member_ids"] = list(rel.member_ids)
    keep = ("version", "health", "pending_events", "outbox_pending")
    for key in keep:
        if base is not None and key in base:
            doc[key] = base[key]
    doc.setdefault("health", {"state": "healthy", "reasons": []})
    return doc


def load_relationship(doc: Document) -> Relationship:
    return from_doc(Relationship, doc)


async def require_relationship_for(
    store: SessionsStore, relationship_id: str, person_id: str
) -> Document:
    """The relationship document, if ``person_id`` is a member; otherwise NotFound (404)."""
    doc = await store.relationships.get(relationship_id)
    if doc is None or person_id not in doc.get("member_ids", []):
        raise NotFound(f"relationship {relationship_id}")
    return doc


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
    data: MatchActivated, *, program: Document | None, now: datetime, source: str
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
    return {**stage(doc, outcome.events, source=source), "version": 1}


async def apply_match_events(
    store: SessionsStore, events: Sequence[ParsedEvent], *, source: str
) -> int:
    """Apply a batch of match events; returns how many relationships were written."""
    for attempt in range(MAX_CONFLICT_RETRIES):
        try:
            return await _apply_match_batch(store, events, source=source)
        except ConcurrencyConflict:
            if attempt == MAX_CONFLICT_RETRIES - 1:
                raise
    return 0


async def _apply_match_batch(
    store: SessionsStore, events: Sequence[ParsedEvent], *, source: str
) -> int:
    match_ids = [e.data.match_id for e in events if hasattr(e.data, "match_id")]  # type: ignore[attr-defined]
    rel_ids = list(dict.fromkeys(relationship_id_for(m) for m in match_ids))
    if not rel_ids:
        return 0
    collection = store.db[RELATIONSHIPS]
    current: dict[str, Document] = {
        d["_id"]: d for d in await collection.find({"_id": {"$in": rel_ids}}).to_list()
    }
    program_ids = list({e.data.program_id for e in events if isinstance(e.data, MatchActivated)})
    programs = {
        p["_id"]: p for p in await store.programs.find({"_id": {"$in": program_ids}}).to_list()
    }
    new: dict[str, Document] = {}
    changed: dict[str, Document] = {}
    for event in events:
        data, at = event.data, event.envelope.time
        if isinstance(data, MatchActivated):
            rid = relationship_id_for(data.match_id)
            if rid in current or rid in new:
                continue
            new[rid] = start_from_match(
                data, program=programs.get(data.program_id), now=at, source=source
            )
        elif isinstance(data, MatchFlagged | MatchEnded):
            rid = relationship_id_for(data.match_id)
            doc = changed.get(rid) or new.get(rid) or current.get(rid)
            if doc is None:
                log.info("match_event_without_relationship", match_id=data.match_id)
                continue
            updated = _apply_lifecycle(doc, data, at, source=source)
            if updated is None:
                continue
            if rid in new:
                new[rid] = updated
            else:
                changed[rid] = updated
    await _write(collection, new, changed)
    return len(new) + len(changed)


def _apply_lifecycle(
    doc: Document, data: MatchFlagged | MatchEnded, at: datetime, *, source: str
) -> Document | None:
    rel = load_relationship(doc)
    try:
        if isinstance(data, MatchFlagged):
            if rel.status is not RelationshipStatus.ACTIVE:
                return None
            outcome = pause_relationship(rel, reason="match_flagged", now=at)
        else:
            if rel.status is RelationshipStatus.ENDED:
                return None
            outcome = end_relationship(rel, reason=EndReason.MATCH_ENDED, now=at)
    except DomainError as exc:  # nothing to do in this state
        log.info("match_event_not_applicable", reason=exc.reason)
        return None
    base = relationship_doc(outcome.state, doc)
    return stage(base, outcome.events, source=source, member_ids=rel.member_ids)


async def _write(collection: Any, new: dict[str, Document], changed: dict[str, Document]) -> None:
    if new:
        try:
            await collection.bulk_write([InsertOne(d) for d in new.values()], ordered=False)
        except BulkWriteError as exc:
            if not duplicate_keys_only(exc):
                raise
            # another consumer inserted some first: those are the same relationships
    if changed:
        ops = [
            ReplaceOne(
                {"_id": d["_id"], "version": d["version"]}, {**d, "version": d["version"] + 1}
            )
            for d in changed.values()
        ]
        result = await collection.bulk_write(ops, ordered=False)
        if result.matched_count != len(ops):
            raise ConcurrencyConflict("relationships changed during the batch")


# ---- member actions ---------------------------------------------------------------


async def end_early(
    store: SessionsStore,
    *,
    relationship_id: str,
    person_id: str,
    comment: str | None,
    now: datetime,
    source: str,
) -> Document:
    """A member ends the relationship early; a closing survey is requested from all."""
    doc = await require_relationship_for(store, relationship_id, person_id)
    rel = load_relationship(doc)
    outcome = end_relationship(
        rel, reason=EndReason.ENDED_EARLY, ended_by=person_id, comment=comment, now=now
    )
    new = stage(
        relationship_doc(outcome.state, doc),
        outcome.events,
        source=source,
        member_ids=rel.member_ids,
    )
    return await store.relationships.replace(new)


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
