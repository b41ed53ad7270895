"""HR program aggregates: numbers only, cells under 5 people suppressed (by the domain),
closing survey outcomes and the juniors' pulse checks included.

Who may read them: the program's admins, HR analysts and services
(``deps.reportable_program``; to anyone else the program does not exist, 404). Every
read is recorded in the audit log. Note and journal text is never loaded into the
answer: the domain returns counts and averages only.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from services.sessions import pulses, surveys
from services.sessions.deps import caller_of, reportable_program
from services.sessions.domain.action_items import ActionItem
from services.sessions.domain.feedback import Feedback
from services.sessions.domain.health import HealthState
from services.sessions.domain.journal import JournalEntry
from services.sessions.domain.meetings import Meeting
from services.sessions.domain.reports import Period, program_aggregates
from services.sessions.mapping import from_doc
from services.sessions.relationships import load_relationship
from services.sessions.store import ACTION_ITEMS, FEEDBACK, JOURNAL
from services.sessions.unit_of_work import Work
from shared.audit import audit_entry


async def aggregates(
    uow: Work, *, program_id: str, period: Period, first_day: date, last_day: date
) -> dict[str, Any]:
    """Per-period figures of a program the caller may report on; the read is audited."""
    await reportable_program(uow, program_id)
    store = uow.store
    rel_docs = await store.relationships_in_program(program_id)
    rels = [load_relationship(d) for d in rel_docs]
    rel_ids = [r.id for r in rels]
    health = {d["_id"]: HealthState(d.get("health", {}).get("state", "healthy")) for d in rel_docs}
    # the four reads are independent: side by side, the page waits for the slowest only
    meeting_docs, feedback_docs, item_docs, journal_docs = await asyncio.gather(
        store.meetings_to_count(program_id),
        store.to_count(FEEDBACK, rel_ids, hidden=["comment"]),
        store.to_count(ACTION_ITEMS, rel_ids),
        store.to_count(JOURNAL, rel_ids, hidden=["text"]),
    )
    meetings = [from_doc(Meeting, d) for d in meeting_docs]
    feedback = [from_doc(Feedback, {**d, "comment": ""}) for d in feedback_docs]
    items = [from_doc(ActionItem, d) for d in item_docs]
    journal = [from_doc(JournalEntry, {**d, "text": ""}) for d in journal_docs]
    result = program_aggregates(
        program_id=program_id,
        relationships=rels,
        meetings=meetings,
        feedback=feedback,
        action_items=items,
        journal_entries=journal,
        health=health,
        period=period,
        first_day=first_day,
        last_day=last_day,
    )
    await store.record_audit(
        audit_entry(
            actor=caller_of(uow),
            action="aggregates.read",
            target=f"program:{program_id}",
            details={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
            at=uow.now,
        )
    )
    survey, pulse = await asyncio.gather(
        surveys.report(uow, relationship_ids=rel_ids, first_day=first_day, last_day=last_day),
        pulses.report(uow, relationship_ids=rel_ids, first_day=first_day, last_day=last_day),
    )
    return {**result.to_dict(), "survey": survey, "pulse": pulse}
