"""The delivery history a person may read about themself, from the ledger.

Only the facts of each delivery (type, subject, channel, outcome, attempts); never
the owner lease, the staged events or another person's entries.
"""

from __future__ import annotations

from services.notifications.deps import caller_of
from services.notifications.store import from_ms
from services.notifications.unit_of_work import Work
from shared.mongo import Document


async def list_deliveries(
    uow: Work, *, status: str | None, limit: int, offset: int
) -> tuple[list[Document], int]:
    """The caller's deliveries, most recently updated first, and how many there are."""
    return await uow.store.deliveries_page(
        caller_of(uow).subject, status=status, limit=limit, offset=offset
    )


#: Ledger fields a person sees as they are stored.
_AS_STORED = ("type", "subject_id", "channel", "status", "reason", "created_at")


def delivery_read(doc: Document) -> dict[str, object]:
    """A ledger entry as its recipient reads it (``DeliveryRead``)."""
    return {
        "id": doc["_id"],
        **{name: doc.get(name) for name in _AS_STORED},
        "attempts": len(doc.get("attempts") or []),
        "updated_at": from_ms(doc["updated_ms"]),
    }
