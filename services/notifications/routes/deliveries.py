"""The caller's own delivery history (the ledger): what was sent where, and how it went.

Employees and program admins, their own only (there is no way to name another
person); services and HR analysts are refused (403).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from services.notifications import deliveries
from services.notifications.deps import PERSONAL, Work
from services.notifications.schemas import DeliveryRead
from shared.api import Page, PageParams, page_params

router = APIRouter(prefix="/deliveries", tags=["deliveries"], dependencies=[PERSONAL])

Status = Literal["sending", "sent", "retrying", "failed", "suppressed"]


@router.get("", response_model=Page[DeliveryRead])
async def list_deliveries(
    uow: Work,
    page: Annotated[PageParams, Depends(page_params)],
    status: Annotated[Status | None, Query(description="Only deliveries in this state.")] = None,
) -> dict[str, object]:
    """The caller's deliveries, most recently updated first."""
    docs, total = await deliveries.list_deliveries(
        uow, status=status, limit=page.limit, offset=page.offset
    )
    return {
        "items": [deliveries.delivery_read(d) for d in docs],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
    }
