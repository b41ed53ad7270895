"""MongoDB adapter of the matcher: collections, indexes, queries (no domain rules)."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import Document, IndexSpec, VersionedCollection

PROGRAMS = "programs"
PEOPLE = "people"

INDEXES = [
    IndexSpec(PROGRAMS, [("kind", 1), ("created_at", -1)]),
    IndexSpec(PEOPLE, [("department", 1)]),
    IndexSpec(PEOPLE, [("manager_id", 1)]),
]
OUTBOX_COLLECTIONS = [PROGRAMS]


class MatcherStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.programs = VersionedCollection(db[PROGRAMS])
        self.people = db[PEOPLE]

    async def list_programs(
        self, *, kind: str | None, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        query: dict[str, Any] = {} if kind is None else {"kind": kind}
        total = await self.db[PROGRAMS].count_documents(query)
        docs = (
            await self.db[PROGRAMS]
            .find(query)
            .sort([("created_at", -1), ("_id", 1)])
            .skip(offset)
            .limit(limit)
            .to_list()
        )
        return docs, total
