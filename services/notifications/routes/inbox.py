"""The caller's in-app inbox: list (paginated, newest first) and mark read.

Employees and program admins, each their own inbox only (another person's message is
404); services and HR analysts are refused (403).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.notifications import inbox
from services.notifications.deps import PERSONAL, Work
from services.notifications.schemas import InboxMessageRead
from shared.api import Page, PageParams, page_params
from shared.inputs import Identifier
from shared.mongo import Document

router = APIRouter(prefix="/inbox", tags=["inbox"], dependencies=[PERSONAL])

MessageId = Annotated[
    Identifier,
    Path(description="The message id.", examples=["ntf1:0f3c5e7a9b1d2f4a6c8e0b2d4f6a8c0e:inbox"]),
]


def message_read(doc: Document) -> dict[str, object]:
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}


@router.get("", response_model=Page[InboxMessageRead])
async def list_messages(
    uow: Work,
    page: Annotated[PageParams, Depends(page_params)],
    unread_only: Annotated[bool, Query()] = False,
) -> dict[str, object]:
    """The caller's messages, newest first."""
    docs, total = await inbox.list_inbox(
        uow,
        unread_only=unread_only,
        limit=page.limit,
        offset=page.offset,
    )
    return {
        "items": [message_read(d) for d in docs],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get("/{message_id}", response_model=InboxMessageRead)
async def get_message(message_id: MessageId, uow: Work) -> dict[str, object]:
    """One of the caller's messages; another's is 404."""
    doc = await inbox.get_message(uow, message_id=message_id)
    return message_read(doc)


@router.post("/{message_id}/read", response_model=InboxMessageRead)
async def mark_read(message_id: MessageId, uow: Work) -> dict[str, object]:
    """Mark one of the caller's messages read (idempotent); another's is 404."""
    doc = await inbox.mark_read(uow, message_id=message_id)
    return message_read(doc)
