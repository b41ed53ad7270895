"""The matcher store's safety queries (a base of ``MatcherStore``, only to keep each
module short): blocks between two people and concerns reported to a program's admins."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.api import PageParams
from shared.mongo import Document, IndexSpec, VersionedCollection, page_of

BLOCKS = "blocks"
CONCERNS = "concerns"

SAFETY_INDEXES = [
    IndexSpec(BLOCKS, [("blocker_id", 1), ("active", 1), ("created_at", -1)]),
    IndexSpec(BLOCKS, [("active", 1)]),
    IndexSpec(BLOCKS, [("blocked_id", 1), ("active", 1)]),
    IndexSpec(CONCERNS, [("program_id", 1), ("created_at", -1)]),
    IndexSpec(CONCERNS, [("program_id", 1), ("reporter_id", 1), ("created_at", -1)]),
]
#: Both carry their audit entries (and a concern its event) on their own write.
SAFETY_OUTBOX_COLLECTIONS = [BLOCKS, CONCERNS]


class SafetyQueries:
    db: AsyncDatabase[Document]

    def _safety_collections(self) -> None:
        self.blocks = VersionedCollection(self.db[BLOCKS])
        self.concerns = VersionedCollection(self.db[CONCERNS])

    async def _safety_page(
        self, collection: str, query: dict[str, Any], page: PageParams
    ) -> tuple[list[Document], int]:
        return await page_of(
            self.db,
            collection,
            query,
            sort=[("created_at", -1)],
            limit=page.limit,
            offset=page.offset,
        )

    async def blocks_by(self, blocker_id: str, *, page: PageParams) -> tuple[list[Document], int]:
        """The blocks a person has in force, newest first."""
        return await self._safety_page(BLOCKS, {"blocker_id": blocker_id, "active": True}, page)

    async def blocked_pairs(self) -> list[tuple[str, str]]:
        """Every ``(blocker, blocked)`` pair in force (blocks are few: all of them)."""
        projection = {"blocker_id": 1, "blocked_id": 1}
        docs = await self.db[BLOCKS].find({"active": True}, projection).to_list()
        return [(d["blocker_id"], d["blocked_id"]) for d in docs]

    async def blocked_pairs_of(self, person_id: str) -> list[tuple[str, str]]:
        """The pairs in force with ``person_id`` on either side (a suggestion's few; both
        sides asked at once, one wait in a busy database's queue)."""
        projection = {"blocker_id": 1, "blocked_id": 1}
        sides = await asyncio.gather(
            *(
                self.db[BLOCKS].find({side: person_id, "active": True}, projection).to_list()
                for side in ("blocker_id", "blocked_id")
            )
        )
        return [(d["blocker_id"], d["blocked_id"]) for docs in sides for d in docs]

    async def forget_blocks_of(self, person_id: str) -> None:
        """Erasure: every block by or of the person goes (an erased person is never
        matched again anyway)."""
        for side in ("blocker_id", "blocked_id"):
            await self.db[BLOCKS].delete_many({side: person_id})

    async def concerns_naming(self, person_id: str) -> list[Document]:
        """Erasure: the concerns the person reported or is the subject of."""
        found: dict[str, Document] = {}
        for side in ("reporter_id", "about_person_id"):
            for doc in await self.db[CONCERNS].find({side: person_id}).to_list():
                found[doc["_id"]] = doc
        return list(found.values())

    async def page_concerns(
        self, program_id: str, *, reporter_id: str | None, page: PageParams
    ) -> tuple[list[Document], int]:
        """A program's concerns (only one reporter's, if given), newest first."""
        query: dict[str, Any] = {"program_id": program_id}
        if reporter_id is not None:
            query["reporter_id"] = reporter_id
        return await self._safety_page(CONCERNS, query, page)
