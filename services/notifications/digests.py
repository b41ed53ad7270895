"""The personal daily digest: items held by ``resolve_delivery`` become one message.

Held items wait in the queue in state ``digest`` with ``digest_ms``; once that time
has come, one ``daily_digest`` item per (person, slot) is queued by key (so building
it twice is harmless) and the held items become ``digested``.
"""

from __future__ import annotations

from datetime import datetime

from services.notifications.domain.digest import build_daily_digest
from services.notifications.domain.model import Plan
from services.notifications.mapping import planned_from_doc
from services.notifications.planner import apply_plan
from services.notifications.store import from_ms, to_ms
from services.notifications.unit_of_work import Work
from shared.mongo import Document


def hold_for_digest(item: Document, digest_at: datetime) -> tuple[str, int]:
    """(item id, digest time in ms): the item waits in the queue for its digest."""
    return item["_id"], to_ms(digest_at)


async def release_digests(uow: Work, *, limit: int = 5000) -> int:
    """Queue the digests whose slot has come; returns how many were queued."""
    held = await uow.store.held_for_digest(now_ms=to_ms(uow.now), limit=limit)
    if not held:
        return 0
    slots: dict[tuple[str, int], list[Document]] = {}
    for doc in held:
        slots.setdefault((doc["recipient_id"], doc["digest_ms"]), []).append(doc)
    queued = 0
    for (person, slot_ms), docs in slots.items():
        digest = build_daily_digest(
            person, [planned_from_doc(d) for d in docs], digest_at=from_ms(slot_ms)
        )
        if digest is not None:
            queued += await apply_plan(uow, Plan((digest,)))
    await uow.store.mark_digested(d["_id"] for d in held)
    return queued
