"""Action items of a relationship."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.sessions import action_items
from services.sessions.deps import (
    MEMBER,
    NewIn,
    Paging,
    QueryIdentifier,
    Work,
    in_relationship,
    member_write,
)
from services.sessions.schemas import ActionItemCreate, ActionItemRead
from shared.api import Page
from shared.inputs import PathIdentifier

router = APIRouter(tags=["commitments"])


@router.post(
    "/relationships/{relationship_id}/action-items",
    **member_write(ActionItemRead, status_code=201),
)
async def create_action_item(
    body: ActionItemCreate,
    uow: Work,
    new: Annotated[NewIn, in_relationship("action-item")],
) -> dict[str, Any]:
    """A commitment with an owner (a member) and a due date (end of day, owner's zone)."""
    doc = await action_items.add(
        uow, item_id=new.id, relationship_id=new.relationship_id, **dict(body)
    )
    return action_items.action_item_read(doc, uow.now)


@router.get(
    "/relationships/{relationship_id}/action-items",
    response_model=Page[ActionItemRead],
    dependencies=[MEMBER],
)
async def list_action_items(
    relationship_id: PathIdentifier,
    uow: Work,
    page: Paging,
    status_: Annotated[str | None, Query(alias="status", pattern="^(open|done|dropped)$")] = None,
    owner_id: QueryIdentifier = None,
) -> dict[str, Any]:
    docs, total = await action_items.page(
        uow,
        relationship_id=relationship_id,
        status=status_,
        owner_id=owner_id,
        **dict(page),
    )
    items = [action_items.action_item_read(d, uow.now) for d in docs]
    return page.of(items, total)


@router.post("/action-items/{item_id}/complete", **member_write(ActionItemRead))
async def complete_action_item(item_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    doc = await action_items.close(uow, item_id=item_id, done=True)
    return action_items.action_item_read(doc, uow.now)


@router.post("/action-items/{item_id}/drop", **member_write(ActionItemRead))
async def drop_action_item(item_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    doc = await action_items.close(uow, item_id=item_id, done=False)
    return action_items.action_item_read(doc, uow.now)
