"""The in-app inbox service: a person lists and marks read their own messages only."""

from __future__ import annotations

from datetime import datetime

from services.notifications.store import NotificationsStore, to_ms
from shared.mongo import Document, NotFound


async def list_inbox(
    store: NotificationsStore, *, person_id: str, unread_only: bool, limit: int, offset: int
) -> tuple[list[Document], int]:
    query: dict[str, object] = {"recipient_id": person_id}
    if unread_only:
        query["read"] = False
    total = await store.inbox.count_documents(query)
    docs = (
        await store.inbox.find(query)
        .sort([("created_ms", -1), ("_id", 1)])
        .skip(offset)
        .limit(limit)
        .to_list()
    )
    return docs, total


async def get_message(store: NotificationsStore, *, person_id: str, message_id: str) -> Document:
    """Someone else's message is indistinguishable from a missing one (404)."""
    doc = await store.inbox.find_one({"_id": message_id, "recipient_id": person_id})
    if doc is None:
        raise NotFound(f"inbox message {message_id}")
    return doc


async def mark_read(
    store: NotificationsStore, *, person_id: str, message_id: str, now: datetime
) -> Document:
    doc = await get_message(store, person_id=person_id, message_id=message_id)
    if not doc["read"]:
        await store.inbox.update_one(
            {"_id": message_id, "recipient_id": person_id},
            {"$set": {"read": True, "read_ms": to_ms(now)}},
        )
        doc = {**doc, "read": True, "read_ms": to_ms(now)}
    return doc
