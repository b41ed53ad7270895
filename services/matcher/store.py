"""MongoDB adapter of the matcher: collections, indexes, queries (no domain rules)."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.audit import AUDIT_INDEXES
from shared.mongo import Document, IndexSpec, VersionedCollection

PROGRAMS = "programs"
PEOPLE = "people"
ENROLLMENTS = "enrollments"
ROUNDS = "rounds"
MATCHES = "matches"
PROPOSALS = "round_proposals"

INDEXES = [
    IndexSpec(PROGRAMS, [("kind", 1), ("created_at", -1)]),
    IndexSpec(PEOPLE, [("department", 1)]),
    IndexSpec(PEOPLE, [("manager_id", 1)]),
    IndexSpec(ENROLLMENTS, [("program_id", 1), ("status", 1)]),
    IndexSpec(ENROLLMENTS, [("person_id", 1)]),
    IndexSpec(ROUNDS, [("program_id", 1), ("created_at", -1)]),
    IndexSpec(PROPOSALS, [("round_id", 1), ("index", 1)]),
    IndexSpec(MATCHES, [("program_id", 1), ("state", 1)]),
    IndexSpec(MATCHES, [("member_ids", 1), ("state", 1)]),
    *AUDIT_INDEXES,
]
OUTBOX_COLLECTIONS = [PROGRAMS, ENROLLMENTS, MATCHES]


class MatcherStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.programs = VersionedCollection(db[PROGRAMS])
        self.people = db[PEOPLE]
        self.enrollments = VersionedCollection(db[ENROLLMENTS])
        self.rounds = VersionedCollection(db[ROUNDS])
        self.matches = VersionedCollection(db[MATCHES])

    async def _page(
        self,
        collection: str,
        query: dict[str, Any],
        sort: list[tuple[str, int]],
        limit: int,
        offset: int,
    ) -> tuple[list[Document], int]:
        total = await self.db[collection].count_documents(query)
        docs = await self.db[collection].find(query).sort(sort).skip(offset).limit(limit).to_list()
        return docs, total

    async def list_programs(
        self, *, kind: str | None, limit: int, offset: int, admin_id: str | None = None
    ) -> tuple[list[Document], int]:
        query: dict[str, Any] = {} if kind is None else {"kind": kind}
        if admin_id is not None:
            query["admin_ids"] = {"$in": [admin_id]}
        return await self._page(PROGRAMS, query, [("created_at", -1), ("_id", 1)], limit, offset)

    async def list_people(
        self, *, department: str | None, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        query: dict[str, Any] = {} if department is None else {"department": department}
        return await self._page(PEOPLE, query, [("_id", 1)], limit, offset)

    async def list_enrollments(
        self, *, program_id: str, role: str | None, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        query: dict[str, Any] = {"program_id": program_id, "status": "active"}
        if role is not None:
            query["role"] = role
        return await self._page(ENROLLMENTS, query, [("created_at", 1), ("_id", 1)], limit, offset)

    async def active_enrollments(self, program_id: str) -> list[Document]:
        return (
            await self.db[ENROLLMENTS]
            .find({"program_id": program_id, "status": "active"})
            .to_list()
        )

    async def people_by_ids(self, ids: list[str]) -> list[Document]:
        found: list[Document] = []
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            found += await self.people.find({"_id": {"$in": chunk}}).to_list()
        return found

    async def all_people(self) -> list[Document]:
        return await self.people.find({}).to_list()

    async def matches_of_people(self, person_ids: list[str], states: list[str]) -> list[Document]:
        return (
            await self.db[MATCHES]
            .find({"member_ids": {"$in": person_ids}, "state": {"$in": states}})
            .to_list()
        )

    async def matches_of_program(self, program_id: str) -> list[Document]:
        return await self.db[MATCHES].find({"program_id": program_id}).to_list()

    async def list_matches(
        self,
        *,
        program_id: str | None,
        person_id: str | None,
        state: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Document], int]:
        query: dict[str, Any] = {}
        if program_id is not None:
            query["program_id"] = program_id
        if person_id is not None:
            query["member_ids"] = {"$in": [person_id]}
        if state is not None:
            query["state"] = state
        return await self._page(MATCHES, query, [("created_at", -1), ("_id", 1)], limit, offset)
