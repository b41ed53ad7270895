"""Service layer for meetings: schedule, transitions, agenda and notes, calendars, slots.

Each function loads, calls the domain, and saves the whole document with the events
that announce the change (outbox). A person sees a meeting only if they take part
(otherwise NotFound: its existence is not disclosed).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.errors import DuplicateKeyError

from services.sessions import sweeps
from services.sessions.domain import (
    Meeting,
    MeetingStatus,
    MeetingView,
    Outcome,
    WorkingHours,
    add_agenda_item,
    add_private_note,
    add_shared_note,
    cancel_meeting,
    complete_meeting,
    mark_agenda_item_done,
    mark_no_show,
    meeting_to_ics,
    propose_slots,
    reschedule_meeting,
    schedule_meeting,
    view_meeting_for,
)
from services.sessions.mapping import from_doc, to_doc
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship, require_relationship_for
from services.sessions.store import MEETINGS, SessionsStore
from shared.mongo import Document, NotFound


def meeting_doc(meeting: Meeting, base: Document | None = None) -> Document:
    doc = to_doc(meeting)
    for key in ("version", "pending_events", "outbox_pending"):
        if base is not None and key in base:
            doc[key] = base[key]
    return doc


def load_meeting(doc: Document) -> Meeting:
    return from_doc(Meeting, doc)


async def require_meeting_for(store: SessionsStore, meeting_id: str, person_id: str) -> Document:
    doc = await store.meetings.get(meeting_id)
    if doc is None or person_id not in doc.get("participant_ids", []):
        raise NotFound(f"meeting {meeting_id}")
    return doc


async def schedule(
    store: SessionsStore,
    *,
    meeting_id: str,
    relationship_id: str,
    organiser_id: str,
    starts_at: datetime,
    duration_minutes: int,
    time_zone: str | None,
    participant_ids: Sequence[str] | None,
    now: datetime,
    source: str,
) -> tuple[Document, bool]:
    """Schedule a meeting (the caller organises it); a repeated id returns the first."""
    existing = await store.meetings.get(meeting_id)
    if existing is not None:
        if organiser_id not in existing["participant_ids"]:
            raise NotFound(f"meeting {meeting_id}")
        return existing, False
    rel = load_relationship(await require_relationship_for(store, relationship_id, organiser_id))
    outcome = schedule_meeting(
        meeting_id=meeting_id,
        relationship=rel,
        organiser_id=organiser_id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        now=now,
        time_zone=time_zone,
        participant_ids=participant_ids,
    )
    doc = stage(meeting_doc(outcome.state), outcome.events, source=source)
    try:
        saved = await store.meetings.insert(doc)
    except DuplicateKeyError:
        return await store.meetings.require(meeting_id), False
    await store.write_agenda_rows([saved])
    await sweeps.refresh_health(store, relationship_id=relationship_id, now=now, source=source)
    return saved, True


Transition = Callable[[Meeting], Outcome[Meeting]]


async def transition(
    store: SessionsStore,
    *,
    meeting_id: str,
    person_id: str,
    move: Transition,
    now: datetime,
    source: str,
) -> Document:
    """Apply a lifecycle move (illegal ones raise IllegalTransition -> 409), save, re-assess."""
    doc = await require_meeting_for(store, meeting_id, person_id)
    outcome = move(load_meeting(doc))
    saved = await store.meetings.replace(
        stage(meeting_doc(outcome.state, doc), outcome.events, source=source)
    )
    await store.write_agenda_rows([saved])
    await sweeps.refresh_health(
        store, relationship_id=saved["relationship_id"], now=now, source=source
    )
    return saved


def reschedule(
    *, new_starts_at: datetime, duration_minutes: int | None, by: str, now: datetime
) -> Transition:
    return lambda m: reschedule_meeting(
        m, new_starts_at=new_starts_at, duration_minutes=duration_minutes, by=by, now=now
    )


def cancel(*, by: str, reason: str | None, now: datetime) -> Transition:
    return lambda m: cancel_meeting(m, by=by, reason=reason, now=now)


def complete(*, attended_ids: Sequence[str], now: datetime) -> Transition:
    return lambda m: complete_meeting(m, attended_ids=attended_ids, now=now)


def no_show(*, absent_ids: Sequence[str], now: datetime) -> Transition:
    return lambda m: mark_no_show(m, absent_ids=absent_ids, now=now)


async def edit_content(
    store: SessionsStore,
    *,
    meeting_id: str,
    person_id: str,
    edit: Callable[[Meeting], Meeting],
) -> Document:
    """Agenda and notes: no event announces them (their text never leaves the service)."""
    doc = await require_meeting_for(store, meeting_id, person_id)
    return await store.meetings.replace(meeting_doc(edit(load_meeting(doc)), doc))


def agenda_item(*, author_id: str, text: str) -> Callable[[Meeting], Meeting]:
    item_id = str(uuid.uuid4())
    return lambda m: add_agenda_item(m, item_id=item_id, author_id=author_id, text=text)


def agenda_done(*, item_id: str, by: str) -> Callable[[Meeting], Meeting]:
    return lambda m: mark_agenda_item_done(m, item_id=item_id, by=by)


def note(
    *, author_id: str, text: str, private: bool, now: datetime
) -> Callable[[Meeting], Meeting]:
    note_id = str(uuid.uuid4())
    add = add_private_note if private else add_shared_note
    return lambda m: add(m, note_id=note_id, author_id=author_id, text=text, now=now)


def meeting_read(doc: Document, viewer_id: str) -> dict[str, Any]:
    """The meeting as ``viewer_id`` may see it: others' private notes are stripped."""
    view: MeetingView = view_meeting_for(load_meeting(doc), viewer_id)
    m = view.meeting
    return {
        **_summary(m),
        "agenda": [
            {"id": a.id, "author_id": a.author_id, "text": a.text, "done": a.done} for a in m.agenda
        ],
        "shared_notes": [_note(n) for n in m.shared_notes],
        "my_private_notes": [_note(n) for n in view.my_private_notes],
        "attended_ids": sorted(m.attended_ids),
        "cancel_reason": m.cancel_reason,
    }


def _note(n: Any) -> dict[str, Any]:
    return {"id": n.id, "author_id": n.author_id, "text": n.text, "written_at": n.written_at}


def _summary(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.id,
        "relationship_id": m.relationship_id,
        "program_id": m.program_id,
        "organiser_id": m.organiser_id,
        "participant_ids": list(m.participant_ids),
        "time_zone": m.time_zone,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "local_starts_at": m.local_starts_at.isoformat(),
        "duration_minutes": m.duration_minutes,
        "status": m.status,
        "sequence": m.sequence,
        "series_id": m.series_id,
    }


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


async def list_for(
    store: SessionsStore,
    *,
    person_id: str,
    relationship_id: str | None,
    status: str | None,
    starts_from: datetime | None,
    starts_before: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """The person's meetings by start time, from their agenda rows (one indexed lookup)."""
    rows = [
        r
        for r in await store.agenda_of(person_id)
        if (relationship_id is None or r["relationship_id"] == relationship_id)
        and (status is None or r["status"] == status)
        and (starts_from is None or r["starts_at"] >= starts_from)
        and (starts_before is None or r["starts_at"] < starts_before)
    ]
    rows.sort(key=lambda r: (r["starts_at"], r["meeting_id"]))
    page = rows[offset : offset + limit]
    return [summary_read({**r, "_id": r["meeting_id"]}) for r in page], len(rows)


async def invitation(
    store: SessionsStore, *, meeting_id: str, person_id: str, now: datetime
) -> bytes:
    """The .ics of one meeting: stable UID, SEQUENCE going up with every change."""
    doc = await require_meeting_for(store, meeting_id, person_id)
    return meeting_to_ics(load_meeting(doc), now=now)


async def suggest_slots(
    store: SessionsStore,
    *,
    relationship_id: str,
    person_id: str,
    first_day: date,
    last_day: date,
    duration_minutes: int,
    count: int,
    working_hours: Sequence[WorkingHours] | None,
    now: datetime,
) -> list[dict[str, datetime]]:
    """Earliest free slots inside every member's working hours (default 09:00-17:00
    Mon-Fri in each member's zone), avoiding the members' scheduled meetings."""
    rel = load_relationship(await require_relationship_for(store, relationship_id, person_id))
    hours = list(working_hours or ())
    given = {h.person_id for h in hours}
    hours += [
        WorkingHours(m.person_id, m.time_zone, time(9), time(17))
        for m in rel.members
        if m.person_id not in given
    ]
    range_start = datetime.combine(first_day - timedelta(days=1), time(0), tzinfo=UTC)
    busy_docs = (
        await store.db[MEETINGS]
        .find(
            {
                "participant_ids": {"$in": list(rel.member_ids)},
                "status": MeetingStatus.SCHEDULED.value,
                "starts_at": {"$gte": range_start},
            },
            {"starts_at": 1, "duration_minutes": 1},
        )
        .to_list()
    )
    busy = [
        (d["starts_at"], d["starts_at"] + timedelta(minutes=d["duration_minutes"]))
        for d in busy_docs
    ]
    slots = propose_slots(
        hours,
        first_day=first_day,
        last_day=last_day,
        duration=timedelta(minutes=duration_minutes),
        now=now,
        count=count,
        busy=busy,
    )
    return [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in slots]
