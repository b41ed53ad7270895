"""What sessions keeps of each program (cadence, feedback sharing), from ``mentoring.programs.v1``.

Each write is a whole-document replace keyed by program id and guarded by the
event time, so a duplicate, a replay or an out-of-order older event changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.sessions.store import SessionsStore
from shared.contracts.matching import ProgramClosed, ProgramOpened
from shared.contracts.registry import ParsedEvent


async def apply_program_events(store: SessionsStore, events: Sequence[ParsedEvent]) -> None:
    for event in events:
        data, at = event.data, event.envelope.time.isoformat()
        if isinstance(data, ProgramOpened):  # ProgramUpdated is a ProgramOpened too
            current = await store.programs.find_one({"_id": data.program_id})
            if current is not None and current.get("as_of", "") > at:
                continue
            doc = {
                "_id": data.program_id,
                "kind": data.kind.value,
                "admin_ids": list(data.admin_ids),
                "cadence_days": data.cadence_days,
                "feedback_visible_to_peers": data.feedback_visible_to_peers,
                "starts_on": data.starts_on.isoformat() if data.starts_on else None,
                "ends_on": data.ends_on.isoformat() if data.ends_on else None,
                "status": (current or {}).get("status", "open"),
                "as_of": at,
            }
            await store.programs.replace_one({"_id": data.program_id}, doc, upsert=True)
        elif isinstance(data, ProgramClosed):
            await store.programs.update_one(
                {"_id": data.program_id}, {"$set": {"status": "closed", "as_of": at}}
            )
