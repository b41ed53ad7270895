"""MongoDB adapter of the sessions service: collections, indexes, queries."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import Document, IndexSpec

PROGRAMS = "programs"

INDEXES: list[IndexSpec] = []
OUTBOX_COLLECTIONS: list[str] = []


class SessionsStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.programs = db[PROGRAMS]
