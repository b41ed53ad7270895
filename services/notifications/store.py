"""MongoDB adapter of the notifier: collections, indexes, queries."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import Document, IndexSpec

CONTACTS = "contacts"

INDEXES: list[IndexSpec] = []
OUTBOX_COLLECTIONS: list[str] = []


class NotificationsStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.contacts = db[CONTACTS]
