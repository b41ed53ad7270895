"""The delivery history a person may read about themself, from the ledger.

Only the facts of each delivery (type, subject, channel, outcome, attempts); never
the owner lease, the staged events or another person's entries.
"""

from __future__ import annotations

from services.notifications.store import NotificationsStore, from_ms
from shared.mongo import Document


async def list_deliveries(
    store: NotificationsStore, *, person_id: str, status: str | None, limit: int, offset: int
) -> tuple[list[Document], int]:
    query: dict[str, object] = {"recipient_id": person_id}
    if status is not None:
        query["status"] = status
    total = await store.deliveries.count_documents(query)
    docs = (
        await store.deliveries.find(query)
        .sort([("updated_ms", -1), ("_id", 1)])
        .skip(offset)
        .limit(limit)
        .to_list()
    )
    return docs, total


def delivery_read(doc: Document) -> dict[str, object]:
    return {
        "id": doc["_id"],
        "type": doc["type"],
        "subject_id": doc["subject_id"],
        "channel": doc["channel"],
        "status": doc["status"],
        "attempts": len(doc.get("attempts") or []),
        "reason": doc.get("reason"),
        "created_at": doc["created_at"],
        "updated_at": from_ms(doc["updated_ms"]),
    }
