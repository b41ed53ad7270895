"""The store's flash-mentoring part: offers and the enrollments projection. Part of
``store.SessionsStore`` (a base class only to keep each module short)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import Document, VersionedCollection, page_of

OFFERS = "flash_offers"
#: Who is enrolled in which flash program (``mentoring.enrollments.v1``): who may offer
#: and book. Enrollments of a program known to be of another kind are not kept.
ENROLLMENTS = "enrollments"

#: The fields each collection is looked up by (one ascending index each).
FLASH_LOOKED_UP_BY: dict[str, tuple[str, ...]] = {
    OFFERS: ("program_id", "host_id", "people_ids"),
    ENROLLMENTS: ("person_id",),
}


class FlashQueries:
    db: AsyncDatabase[Document]
    offers: VersionedCollection

    async def enrolled(self, program_id: str, person_id: str) -> bool:
        """Whether ``person_id`` holds an active enrollment in ``program_id``."""
        query = {"person_id": person_id, "program_id": program_id, "status": "active"}
        return await self.db[ENROLLMENTS].find_one(query, {"_id": 1}) is not None

    async def open_offers(
        self,
        program_id: str,
        *,
        topic_key: str | None,
        starts: dict[str, datetime],
        limit: int,
        offset: int,
    ) -> tuple[list[Document], int]:
        """Open offers of a program starting in the ``starts`` range ($gte/$lt), soonest
        first, optionally on one topic (its casefolded key)."""
        query: dict[str, Any] = {"program_id": program_id, "status": "open", "starts_at": starts}
        if topic_key is not None:
            query["topic_key"] = topic_key
        return await page_of(
            self.db, OFFERS, query, sort=[("starts_at", 1)], limit=limit, offset=offset
        )
