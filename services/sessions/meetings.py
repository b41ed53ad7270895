"""Meetings: schedule, lifecycle moves, reading them, their calendar invitation.

Each function loads, calls the domain, and saves the whole document with the events
that announce the change (outbox), then re-assesses the relationship's health. A
person sees a meeting only if they take part, or (its summary only) if they
administer its program; otherwise NotFound: its existence is not disclosed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from services.sessions import flash_endings, health, pulses
from services.sessions.deps import (
    caller_of,
    is_member,
    members_relationship,
    participants_meeting,
    repeated_create,
    visible_relationship,
    visible_to_admin,
)
from services.sessions.domain.attendance import confirm_attendance
from services.sessions.domain.calendar import meeting_to_ics
from services.sessions.domain.events import Outcome
from services.sessions.domain.meeting_content import MeetingView, view_meeting_for
from services.sessions.domain.meetings import (
    Meeting,
    cancel_meeting,
    complete_meeting,
    mark_no_show,
    reschedule_meeting,
    schedule_meeting,
)
from services.sessions.domain.relationships import RelationshipKind
from services.sessions.mapping import AGENDA_FIELDS, from_doc, stored
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship
from services.sessions.store import MEETINGS
from services.sessions.unit_of_work import Work
from shared.auth import Role
from shared.errors import IllegalTransition
from shared.mongo import Document, NotFound

T = TypeVar("T")


def load_meeting(doc: Document) -> Meeting:
    return from_doc(Meeting, doc)


async def organised(
    uow: Work, relationship_id: str, rule: Callable[..., Outcome[T]], **details: Any
) -> Outcome[T]:
    """A scheduling ``rule`` (a meeting, a series) applied with the caller as organiser,
    in one of their relationships (else 404)."""
    rel = load_relationship(await members_relationship(uow, relationship_id))
    if rel.kind is RelationshipKind.FLASH:
        raise IllegalTransition("a flash booking has its one meeting: book another slot instead")
    return rule(relationship=rel, organiser_id=caller_of(uow).subject, now=uow.now, **details)


async def schedule(
    uow: Work, *, meeting_id: str, relationship_id: str, **meeting: Any
) -> tuple[Document, bool]:
    """Schedule a meeting the caller organises; a repeated id returns the first.
    ``meeting`` holds what ``schedule_meeting`` takes (start, duration, zone, participants)."""
    existing = await repeated_create(uow, uow.store.meetings, meeting_id, "meeting")
    if existing is not None:
        return existing, False
    outcome = await organised(
        uow, relationship_id, schedule_meeting, meeting_id=meeting_id, **meeting
    )
    saved, created = await insert_meeting(uow, outcome)
    if created:
        await health.refresh(uow, relationship_id=relationship_id)
    return saved, created


async def insert_meeting(uow: Work, outcome: Outcome[Meeting]) -> tuple[Document, bool]:
    """A scheduled meeting saved with its events, and its agenda rows: (the stored one,
    whether it was new; a meeting with its id already saved is returned as it is)."""
    doc = stage(uow, stored(outcome.state), outcome.events)
    saved, created = await uow.store.insert_new(uow.store.meetings, doc)
    if created:
        await uow.store.write_agenda_rows([saved])
    return saved, created


async def _transition(
    uow: Work, meeting_id: str, move: Callable[[Meeting], Outcome[Meeting]], *, moving: bool = False
) -> Document:
    """Apply a lifecycle move (illegal ones raise IllegalTransition -> 409), save, re-assess.
    ``moving``: a reschedule, which a flash meeting refuses."""
    doc = await participants_meeting(uow, meeting_id)
    if moving:
        await flash_endings.refuse_moving(uow, doc)
    outcome = move(load_meeting(doc))
    new = stage(uow, stored(outcome.state, doc), outcome.events)
    saved = await uow.store.meetings.replace(new)
    await uow.store.write_agenda_rows([saved])
    await flash_endings.after_meeting(uow, saved)
    await health.refresh(uow, relationship_id=saved["relationship_id"])
    return saved


async def reschedule(
    uow: Work, *, meeting_id: str, starts_at: datetime, duration_minutes: int | None
) -> Document:
    by, now = caller_of(uow).subject, uow.now
    return await _transition(
        uow,
        meeting_id,
        lambda m: reschedule_meeting(
            m, new_starts_at=starts_at, duration_minutes=duration_minutes, by=by, now=now
        ),
        moving=True,
    )


async def cancel(uow: Work, *, meeting_id: str, reason: str | None) -> Document:
    by, now = caller_of(uow).subject, uow.now
    return await _transition(
        uow, meeting_id, lambda m: cancel_meeting(m, by=by, reason=reason, now=now)
    )


async def confirm(uow: Work, *, meeting_id: str) -> Document:
    """The calling participant confirms they will attend (``domain.attendance``)."""
    by, now = caller_of(uow).subject, uow.now
    return await _transition(
        uow, meeting_id, lambda m: confirm_attendance(m, person_id=by, now=now)
    )


async def complete(uow: Work, *, meeting_id: str, attended_ids: Sequence[str]) -> Document:
    """A meeting held; in reverse mentoring it may owe the junior a pulse check."""
    now = uow.now
    saved = await _transition(
        uow, meeting_id, lambda m: complete_meeting(m, attended_ids=attended_ids, now=now)
    )
    await pulses.request_after_meeting(uow, relationship_id=saved["relationship_id"])
    return saved


async def no_show(uow: Work, *, meeting_id: str, absent_ids: Sequence[str]) -> Document:
    now = uow.now
    return await _transition(
        uow, meeting_id, lambda m: mark_no_show(m, absent_ids=absent_ids, now=now)
    )


async def invitation(uow: Work, *, meeting_id: str) -> bytes:
    """The .ics of one meeting: stable UID, SEQUENCE going up with every change."""
    doc = await participants_meeting(uow, meeting_id)
    return meeting_to_ics(load_meeting(doc), now=uow.now)


# ---- reading ----------------------------------------------------------------------


async def visible(uow: Work, *, meeting_id: str) -> dict[str, Any]:
    """The meeting as the caller may see it: a participant gets its content (others'
    private notes never included); an admin of its program the summary only."""
    caller = caller_of(uow)
    doc = await uow.store.meetings.get(meeting_id)
    if doc is not None and is_member(caller, doc.get("participant_ids", [])):
        return meeting_read(doc, caller.subject)
    if doc is not None and await visible_to_admin(uow, doc):
        return summary_read(doc)
    raise NotFound(f"meeting {meeting_id}")


async def page(
    uow: Work,
    *,
    relationship_id: str | None,
    status: str | None,
    starts_from: datetime | None,
    starts_before: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """The caller's meetings by start time, from their agenda rows (one indexed lookup).
    A program admin (or a service) naming a relationship of a program they administer
    gets that relationship's meetings (summaries only)."""
    caller = caller_of(uow)
    if relationship_id is not None and caller.has(Role.PROGRAM_ADMIN, Role.SERVICE):
        rel = await uow.store.relationships.get(relationship_id)
        if rel is None or not is_member(caller, rel.get("member_ids", [])):
            await visible_relationship(uow, relationship_id)  # else 404
            window = {k: v for k, v in (("$gte", starts_from), ("$lt", starts_before)) if v}
            docs, total = await uow.store.page_in_relationship(
                MEETINGS,
                relationship_id,
                {"status": status or None, "starts_at": window or None},
                sort=[("starts_at", 1)],
                limit=limit,
                offset=offset,
                projection={k: 1 for k in AGENDA_FIELDS},
            )
            return [summary_read(d) for d in docs], total
    rows = [
        r
        for r in await uow.store.agenda_of(caller.subject)
        if (relationship_id is None or r["relationship_id"] == relationship_id)
        and (status is None or r["status"] == status)
        and (starts_from is None or r["starts_at"] >= starts_from)
        and (starts_before is None or r["starts_at"] < starts_before)
    ]
    rows.sort(key=lambda r: (r["starts_at"], r["meeting_id"]))
    chosen = rows[offset : offset + limit]
    return [summary_read({**r, "_id": r["meeting_id"]}) for r in chosen], len(rows)


def meeting_read(doc: Document, viewer_id: str) -> dict[str, Any]:
    """The meeting as ``viewer_id`` may see it: others' private notes are stripped."""
    view: MeetingView = view_meeting_for(load_meeting(doc), viewer_id)
    m = view.meeting
    return {
        **summary_read(stored(m)),
        "agenda": [
            {"id": a.id, "author_id": a.author_id, "text": a.text, "done": a.done} for a in m.agenda
        ],
        "shared_notes": [_note(n) for n in m.shared_notes],
        "my_private_notes": [_note(n) for n in view.my_private_notes],
        "attended_ids": sorted(m.attended_ids),
        "confirmed_ids": sorted(m.confirmed_ids),
        "cancel_reason": m.cancel_reason,
    }


def _note(n: Any) -> dict[str, Any]:
    return {"id": n.id, "author_id": n.author_id, "text": n.text, "written_at": n.written_at}


def summary_read(doc: Document) -> dict[str, Any]:
    """A list row built straight from the projected document (no notes loaded)."""
    starts = doc["starts_at"]
    return {
        "id": doc["_id"],
        "relationship_id": doc["relationship_id"],
        "program_id": doc["program_id"],
        "organiser_id": doc["organiser_id"],
        "participant_ids": doc["participant_ids"],
        "time_zone": doc["time_zone"],
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=doc["duration_minutes"]),
        "local_starts_at": starts.astimezone(ZoneInfo(doc["time_zone"])).isoformat(),
        "duration_minutes": doc["duration_minutes"],
        "status": doc["status"],
        "sequence": doc["sequence"],
        "series_id": doc.get("series_id"),
    }
