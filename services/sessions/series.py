"""Service layer for recurring series: create (with every occurrence), cancel, calendar.

The series document carries the series event; each occurrence is its own meeting
document carrying its own ``meeting.scheduled``. Occurrence ids are derived from
the series id, so a retried creation inserts nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from pymongo import InsertOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.sessions import sweeps
from services.sessions.domain import (
    MeetingSeries,
    cancel_series,
    schedule_series,
    series_to_ics,
)
from services.sessions.mapping import from_doc, to_doc
from services.sessions.meetings import load_meeting, meeting_doc
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship, require_relationship_for
from services.sessions.store import MEETINGS, SessionsStore
from shared.mongo import Document, NotFound, duplicate_keys_only


def series_doc(series: MeetingSeries, base: Document | None = None) -> Document:
    doc = to_doc(series)
    for key in ("version", "pending_events", "outbox_pending"):
        if base is not None and key in base:
            doc[key] = base[key]
    return doc


async def require_series_for(store: SessionsStore, series_id: str, person_id: str) -> Document:
    doc = await store.series.get(series_id)
    if doc is None or person_id not in doc.get("participant_ids", []):
        raise NotFound(f"series {series_id}")
    return doc


async def create_series(
    store: SessionsStore,
    *,
    series_id: str,
    relationship_id: str,
    organiser_id: str,
    first_date: date,
    local_time: time,
    duration_minutes: int,
    interval_weeks: int,
    until: date | None,
    time_zone: str | None,
    now: datetime,
    source: str,
) -> tuple[Document, list[str], bool]:
    """Create the series and its future occurrences; returns (series doc, meeting ids, created)."""
    existing = await store.series.get(series_id)
    if existing is not None:
        if organiser_id not in existing["participant_ids"]:
            raise NotFound(f"series {series_id}")
        ids = [d["_id"] for d in await store.find_all(MEETINGS, {"series_id": series_id})]
        return existing, sorted(ids), False
    rel = load_relationship(await require_relationship_for(store, relationship_id, organiser_id))
    outcome = schedule_series(
        series_id=series_id,
        relationship=rel,
        organiser_id=organiser_id,
        first_date=first_date,
        local_time=local_time,
        duration_minutes=duration_minutes,
        interval_weeks=interval_weeks,
        until=until,
        time_zone=time_zone,
        now=now,
    )
    series, meetings = outcome.state
    head = [e for e in outcome.events if e.subject_id == series_id]
    by_meeting: dict[str, list[Any]] = {}
    for event in outcome.events:
        if event.subject_id != series_id:
            by_meeting.setdefault(event.subject_id, []).append(event)
    docs = [
        {**stage(meeting_doc(m), by_meeting.get(m.id, []), source=source), "version": 1}
        for m in meetings
    ]
    try:
        await store.db[MEETINGS].bulk_write([InsertOne(d) for d in docs], ordered=False)
    except BulkWriteError as exc:
        if not duplicate_keys_only(exc):
            raise
    await store.write_agenda_rows(docs)
    try:
        saved = await store.series.insert(stage(series_doc(series), head, source=source))
    except DuplicateKeyError:
        saved = await store.series.require(series_id)
    await sweeps.refresh_health(store, relationship_id=relationship_id, now=now, source=source)
    return saved, [m.id for m in meetings], True


async def cancel(
    store: SessionsStore,
    *,
    series_id: str,
    person_id: str,
    reason: str | None,
    now: datetime,
    source: str,
) -> Document:
    """Cancel the series and each of its still-scheduled future occurrences."""
    doc = await require_series_for(store, series_id, person_id)
    meeting_docs = await store.find_all(MEETINGS, {"series_id": series_id})
    outcome = cancel_series(
        from_doc(MeetingSeries, doc),
        [load_meeting(d) for d in meeting_docs],
        now=now,
        by=person_id,
        reason=reason,
    )
    series, changed = outcome.state
    by_id = {d["_id"]: d for d in meeting_docs}
    written = []
    for meeting in changed:
        events = [e for e in outcome.events if e.subject_id == meeting.id]
        written.append(
            await store.meetings.replace(
                stage(meeting_doc(meeting, by_id[meeting.id]), events, source=source)
            )
        )
    await store.write_agenda_rows(written)
    head = [e for e in outcome.events if e.subject_id == series_id]
    saved = await store.series.replace(stage(series_doc(series, doc), head, source=source))
    await sweeps.refresh_health(
        store, relationship_id=series.relationship_id, now=now, source=source
    )
    return saved


async def invitation(
    store: SessionsStore, *, series_id: str, person_id: str, now: datetime
) -> bytes:
    doc = await require_series_for(store, series_id, person_id)
    return series_to_ics(from_doc(MeetingSeries, doc), now=now)


def series_read(doc: Document, meeting_ids: list[str] | None = None) -> dict[str, Any]:
    s = from_doc(MeetingSeries, doc)
    out: dict[str, Any] = {
        "id": s.id,
        "relationship_id": s.relationship_id,
        "program_id": s.program_id,
        "organiser_id": s.organiser_id,
        "participant_ids": list(s.participant_ids),
        "time_zone": s.time_zone,
        "first_date": s.first_date,
        "local_time": s.local_time.isoformat(),
        "duration_minutes": s.duration_minutes,
        "interval_weeks": s.interval_weeks,
        "until": s.until,
        "status": s.status,
        "sequence": s.sequence,
    }
    if meeting_ids is not None:
        out["meeting_ids"] = meeting_ids
    return out
