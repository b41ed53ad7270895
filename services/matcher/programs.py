"""Service layer for programs: validate, store and announce in one document write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.matcher.schemas import ProgramCreate
from services.matcher.store import MatcherStore
from shared.contracts.envelope import Envelope
from shared.contracts.matching import ProgramOpened
from shared.contracts.registry import PROGRAMS
from shared.mongo import Document
from shared.outbox import stage_event


async def open_program(
    store: MatcherStore, *, program_id: str, request: ProgramCreate, source: str
) -> tuple[Document, bool]:
    """Create the program and stage ``mentoring.program.opened``; returns (doc, created).

    Creating twice with the same id (an idempotent retry) returns the first one.
    """
    existing = await store.programs.get(program_id)
    if existing is not None:
        return existing, False
    now = datetime.now(UTC)
    doc: Document = {
        "_id": program_id,
        **request.model_dump(mode="json"),
        "status": "open",
        "created_at": now,
    }
    opened = ProgramOpened(
        program_id=program_id,
        kind=request.kind,
        admin_ids=tuple(request.admin_ids),
        enrollment_opens_on=request.enrollment_opens_on,
        enrollment_closes_on=request.enrollment_closes_on,
        starts_on=request.starts_on,
        ends_on=request.ends_on,
        cadence_days=request.cadence_days,
        feedback_visible_to_peers=request.feedback_visible_to_peers,
    )
    envelope = Envelope.wrap(
        opened, source=source, subject=program_id, event_id=f"{program_id}:opened", time=now
    )
    doc = stage_event(doc, PROGRAMS.name, envelope)
    try:
        return await store.programs.insert(doc), True
    except DuplicateKeyError:
        return await store.programs.require(program_id), False


def program_read(doc: Document) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if not k.startswith("_")}}
