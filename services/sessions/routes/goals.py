"""Goals of a relationship."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.sessions import goals
from services.sessions.deps import MEMBER, NewIn, Paging, Work, in_relationship, member_write
from services.sessions.domain.goals import Goal
from services.sessions.schemas import GoalCreate, GoalRead
from shared.api import Page
from shared.inputs import PathIdentifier

router = APIRouter(tags=["commitments"])


@router.post("/relationships/{relationship_id}/goals", **member_write(GoalRead, status_code=201))
async def set_goal(
    body: GoalCreate, uow: Work, new: Annotated[NewIn, in_relationship("goal")]
) -> Goal:
    doc = await goals.add(uow, goal_id=new.id, relationship_id=new.relationship_id, **dict(body))
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
        uow, relationship_id=relationship_id, status=status_, **dict(page)
    )
    return page.of([goals.goal_read(d) for d in docs], total)


@router.post("/goals/{goal_id}/achieve", **member_write(GoalRead))
async def achieve_goal(goal_id: PathIdentifier, uow: Work) -> Goal:
    return goals.goal_read(await goals.close(uow, goal_id=goal_id, achieved=True))


@router.post("/goals/{goal_id}/drop", **member_write(GoalRead))
async def drop_goal(goal_id: PathIdentifier, uow: Work) -> Goal:
    return goals.goal_read(await goals.close(uow, goal_id=goal_id, achieved=False))
