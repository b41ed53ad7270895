"""Goals of a relationship."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from services.sessions import goals
from services.sessions.deps import MEMBER, Paging, Work, caller_of, page_of
from services.sessions.schemas import GoalCreate, GoalRead
from shared.api import CONFLICT, IdempotencyKey, Page, id_for
from shared.inputs import PathIdentifier

router = APIRouter(tags=["commitments"])


@router.post(
    "/relationships/{relationship_id}/goals",
    response_model=GoalRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[MEMBER],
    responses=CONFLICT,
)
async def set_goal(
    relationship_id: PathIdentifier,
    body: GoalCreate,
    uow: Work,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    doc = await goals.add(
        uow,
        goal_id=id_for(idempotency_key, f"goal:{caller_of(uow).subject}"),
        relationship_id=relationship_id,
        title=body.title,
        personal=body.personal,
    )
    return goals.goal_read(doc)


@router.get(
    "/relationships/{relationship_id}/goals", response_model=Page[GoalRead], dependencies=[MEMBER]
)
async def list_goals(
    relationship_id: PathIdentifier,
    uow: Work,
    page: Paging,
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(open|achieved|dropped)$")
    ] = None,
) -> dict[str, Any]:
    docs, total = await goals.page(
        uow, relationship_id=relationship_id, status=status_, limit=page.limit, offset=page.offset
    )
    return page_of([goals.goal_read(d) for d in docs], total, page.limit, page.offset)


@router.post(
    "/goals/{goal_id}/achieve", response_model=GoalRead, dependencies=[MEMBER], responses=CONFLICT
)
async def achieve_goal(goal_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    return goals.goal_read(await goals.close(uow, goal_id=goal_id, achieved=True))


@router.post(
    "/goals/{goal_id}/drop", response_model=GoalRead, dependencies=[MEMBER], responses=CONFLICT
)
async def drop_goal(goal_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    return goals.goal_read(await goals.close(uow, goal_id=goal_id, achieved=False))
