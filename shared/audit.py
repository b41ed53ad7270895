"""An append-only audit log of administrative actions (who published a round, who
imported people, who overrode a match). Entries are only ever inserted; no code path
updates or deletes them."""

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


async def record(
    db: AsyncDatabase[Document],
    *,
    actor: Principal,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> None:
    await db[COLLECTION].insert_one(
        {
            "_id": str(uuid.uuid4()),
            "at": datetime.now(UTC),
            "actor": actor.subject,
            "roles": sorted(r.value for r in actor.roles),
            "action": action,
            "target": target,
            "details": details or {},
        }
    )


async def entries_for(
    db: AsyncDatabase[Document], *, target: str, limit: int, offset: int
) -> tuple[list[Document], int]:
    query = {"target": target}
    total = await db[COLLECTION].count_documents(query)
    docs = await db[COLLECTION].find(query).sort("at", -1).skip(offset).limit(limit).to_list()
    return docs, total
