"""Action items of a relationship."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from services.sessions import action_items
from services.sessions.deps import MEMBER, Paging, QueryIdentifier, Work, caller_of, page_of
from services.sessions.schemas import ActionItemCreate, ActionItemRead
from shared.api import CONFLICT, IdempotencyKey, Page, id_for
from shared.inputs import PathIdentifier

router = APIRouter(tags=["commitments"])
#: A member closes an item: the item as it now is, or 409.
A_CHANGE: dict[str, Any] = {
    "response_model": ActionItemRead,
    "dependencies": [MEMBER],
    "responses": CONFLICT,
}


@router.post(
    "/relationships/{relationship_id}/action-items",
    response_model=ActionItemRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def create_action_item(
    relationship_id: PathIdentifier,
    body: ActionItemCreate,
    uow: Work,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """A commitment with an owner (a member) and a due date (end of day, owner's zone)."""
    doc = await action_items.add(
        uow,
        item_id=id_for(idempotency_key, f"action-item:{caller_of(uow).subject}"),
        relationship_id=relationship_id,
        owner_id=body.owner_id,
        description=body.description,
        due_on=body.due_on,
        meeting_id=body.meeting_id,
        goal_id=body.goal_id,
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
        limit=page.limit,
        offset=page.offset,
    )
    items = [action_items.action_item_read(d, uow.now) for d in docs]
    return page_of(items, total, page.limit, page.offset)


@router.post("/action-items/{item_id}/complete", **A_CHANGE)
async def complete_action_item(item_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    doc = await action_items.close(uow, item_id=item_id, done=True)
    return action_items.action_item_read(doc, uow.now)


@router.post("/action-items/{item_id}/drop", **A_CHANGE)
async def drop_action_item(item_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    doc = await action_items.close(uow, item_id=item_id, done=False)
    return action_items.action_item_read(doc, uow.now)
