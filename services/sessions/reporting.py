"""HR program aggregates: numbers only, cells under 5 people suppressed (by the domain).

Who may read them is decided by the API (``deps.reportable_program``: the program's
admins, HR analysts and services; to anyone else the program does not exist, 404).
Note and journal text is never loaded into the answer: the domain returns counts and
averages only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.sessions.domain import (
    ActionItem,
    Feedback,
    HealthState,
    JournalEntry,
    Meeting,
    Period,
    program_aggregates,
)
from services.sessions.mapping import from_doc
from services.sessions.relationships import load_relationship
from services.sessions.store import (
    ACTION_ITEMS,
    FEEDBACK,
    JOURNAL,
    MEETINGS,
    RELATIONSHIPS,
    SessionsStore,
)

#: The journal text is not needed for counting: it is not even read from the database.
_JOURNAL_FIELDS = {"text": 0}


async def aggregates_for(
    store: SessionsStore,
    *,
    program_id: str,
    period: Period,
    first_day: date,
    last_day: date,
) -> dict[str, Any]:
    rel_docs = await store.find_all(RELATIONSHIPS, {"program_id": program_id}, limit=100_000)
    rels = [load_relationship(d) for d in rel_docs]
    rel_ids = [r.id for r in rels]
    health = {d["_id"]: HealthState(d.get("health", {}).get("state", "healthy")) for d in rel_docs}
    by_rel = {"relationship_id": {"$in": rel_ids}}
    meetings = [
        from_doc(Meeting, d)
        for d in await store.db[MEETINGS]
        .find({"program_id": program_id}, {"private_notes": 0, "shared_notes": 0, "agenda": 0})
        .to_list()
    ]
    feedback = [
        from_doc(Feedback, {**d, "comment": ""})
        for d in await store.db[FEEDBACK].find(by_rel, {"comment": 0}).to_list()
    ]
    items = [from_doc(ActionItem, d) for d in await store.db[ACTION_ITEMS].find(by_rel).to_list()]
    journal = [
        from_doc(JournalEntry, {**d, "text": ""})
        for d in await store.db[JOURNAL].find(by_rel, _JOURNAL_FIELDS).to_list()
    ]
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
    return result.to_dict()
