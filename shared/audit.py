"""An append-only audit log of administrative actions (who published a round, who
imported people, who overrode a match). Entries are only ever inserted; no code path
updates or deletes them. An entry for a change rides on the changed document
(``shared.outbox_staging.stage_audit``) and the outbox relay inserts it, so the change
and its record are saved in one write."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.auth import Principal
from shared.mongo import Document, IndexSpec

COLLECTION = "audit_log"
AUDIT_INDEXES = [
    IndexSpec(COLLECTION, [("target", 1), ("at", -1)]),
    IndexSpec(COLLECTION, [("actor", 1), ("at", -1)]),
]


def audit_entry(
    *,
    actor: Principal,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Document:
    """One entry; its ``_id`` is minted here so that writing it twice keeps one."""
    return {
        "_id": str(uuid.uuid4()),
        "at": at or datetime.now(UTC),
        "actor": actor.subject,
        "roles": sorted(r.value for r in actor.roles),
        "action": action,
        "target": target,
        "details": details or {},
    }


async def record(
    db: AsyncDatabase[Document],
    *,
    actor: Principal,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Write an entry on its own: for an action that changes no document (an audited
    read). An action that changes a document stages its entry on it instead
    (``UnitOfWork.audit``), so the change and its record are one write."""
    await db[COLLECTION].insert_one(
        audit_entry(actor=actor, action=action, target=target, details=details)
    )


async def entries_for(
    db: AsyncDatabase[Document], *, target: str, limit: int, offset: int
) -> tuple[list[Document], int]:
    query = {"target": target}
    total = await db[COLLECTION].count_documents(query)
    docs = await db[COLLECTION].find(query).sort("at", -1).skip(offset).limit(limit).to_list()
    return docs, total
