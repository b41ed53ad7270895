"""Service layer for recurring series: create (with every occurrence), cancel, calendar.

The series document carries the series event; each occurrence is its own meeting
document carrying its own ``meeting.scheduled``. Occurrence ids are derived from
the series id, so a retried creation inserts nothing twice.
"""

from __future__ import annotations

from typing import Any

from services.sessions import health
from services.sessions.deps import (
    caller_of,
    is_member,
    participants_series,
    repeated_create,
    visible_to_admin,
)
from services.sessions.domain.calendar import series_to_ics
from services.sessions.domain.series import MeetingSeries, cancel_series, schedule_series
from services.sessions.mapping import from_doc, stored
from services.sessions.meetings import load_meeting, organised
from services.sessions.outgoing import stage
from services.sessions.unit_of_work import Work
from shared.mongo import Document, NotFound


async def create(
    uow: Work, *, series_id: str, relationship_id: str, **rule: Any
) -> tuple[Document, list[str], bool]:
    """Create the series (the caller organises it) and its future occurrences; returns
    (series doc, meeting ids, created). A repeated id returns the first. ``rule`` holds
    what ``schedule_series`` takes (first date, local time, duration, interval, until, zone)."""
    existing = await repeated_create(uow, uow.store.series, series_id, "series")
    if existing is not None:
        ids = [d["_id"] for d in await uow.store.meetings_of_series(series_id)]
        return existing, sorted(ids), False
    outcome = await organised(uow, relationship_id, schedule_series, series_id=series_id, **rule)
    series, meetings = outcome.state
    head = [e for e in outcome.events if e.subject_id == series_id]
    by_meeting: dict[str, list[Any]] = {}
    for event in outcome.events:
        if event.subject_id != series_id:
            by_meeting.setdefault(event.subject_id, []).append(event)
    docs = [{**stage(uow, stored(m), by_meeting.get(m.id, [])), "version": 1} for m in meetings]
    await uow.store.meetings.insert_many(docs)
    await uow.store.write_agenda_rows(docs)
    staged = stage(uow, stored(series), head)
    saved, _ = await uow.store.insert_new(uow.store.series, staged)
    await health.refresh(uow, relationship_id=relationship_id)
    return saved, [m.id for m in meetings], True


async def cancel(uow: Work, *, series_id: str, reason: str | None) -> Document:
    """Cancel the series and each of its still-scheduled future occurrences."""
    doc = await participants_series(uow, series_id)
    meeting_docs = await uow.store.meetings_of_series(series_id)
    outcome = cancel_series(
        from_doc(MeetingSeries, doc),
        [load_meeting(d) for d in meeting_docs],
        now=uow.now,
        by=caller_of(uow).subject,
        reason=reason,
    )
    series, changed = outcome.state
    by_id = {d["_id"]: d for d in meeting_docs}
    written = []
    for meeting in changed:
        events = [e for e in outcome.events if e.subject_id == meeting.id]
        new = stage(uow, stored(meeting, by_id[meeting.id]), events)
        written.append(await uow.store.meetings.replace(new))
    await uow.store.write_agenda_rows(written)
    head = [e for e in outcome.events if e.subject_id == series_id]
    new = stage(uow, stored(series, doc), head)
    saved = await uow.store.series.replace(new)
    await health.refresh(uow, relationship_id=series.relationship_id)
    return saved


async def visible(uow: Work, *, series_id: str) -> Document:
    """A series of the caller's, or of a program they administer (no content in it)."""
    doc = await uow.store.series.get(series_id)
    if doc is not None and (
        is_member(caller_of(uow), doc.get("participant_ids", []))
        or await visible_to_admin(uow, doc)
    ):
        return doc
    raise NotFound(f"series {series_id}")


async def invitation(uow: Work, *, series_id: str) -> bytes:
    doc = await participants_series(uow, series_id)
    return series_to_ics(from_doc(MeetingSeries, doc), now=uow.now)


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
