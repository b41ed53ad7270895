"""The in-app inbox service: a person lists and marks read their own messages only."""

from __future__ import annotations

from services.notifications.deps import caller_of
from services.notifications.store import to_ms
from services.notifications.unit_of_work import Work
from shared.mongo import Document, NotFound


async def list_inbox(
    uow: Work, *, unread_only: bool, limit: int, offset: int
) -> tuple[list[Document], int]:
    """The caller's messages, newest first, and how many there are."""
    return await uow.store.inbox_page(
        caller_of(uow).subject, unread_only=unread_only, limit=limit, offset=offset
    )


async def get_message(uow: Work, *, message_id: str) -> Document:
    """Someone else's message is indistinguishable from a missing one (404)."""
    doc = await uow.store.inbox_message(message_id, recipient_id=caller_of(uow).subject)
    if doc is None:
        raise NotFound(f"inbox message {message_id}")
    return doc


async def mark_read(uow: Work, *, message_id: str) -> Document:
    """Mark one of the caller's messages read (idempotent)."""
    doc = await get_message(uow, message_id=message_id)
    if not doc["read"]:
        read_ms = to_ms(uow.now)
        await uow.store.mark_inbox_read(
            message_id, recipient_id=doc["recipient_id"], read_ms=read_ms
        )
        doc = {**doc, "read": True, "read_ms": read_ms}
    return doc
