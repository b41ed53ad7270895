"""Relationships: the caller's own, one of them, ending early."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from services.sessions import relationships
from services.sessions.deps import READER, Paging, QueryIdentifier, Work, member_write
from services.sessions.relationships import relationship_read
from services.sessions.schemas import RelationshipEnd, RelationshipRead
from shared.api import Page
from shared.inputs import PathIdentifier

router = APIRouter(prefix="/relationships", tags=["relationships"])


@router.get("", response_model=Page[RelationshipRead], dependencies=[READER])
async def list_relationships(
    uow: Work,
    page: Paging,
    program_id: QueryIdentifier = None,
    status_: Annotated[str | None, Query(alias="status", pattern="^(active|paused|ended)$")] = None,
    health: Annotated[
        list[Literal["healthy", "at_risk", "stalled"]] | None,
        Query(
            description="Only relationships in these health states (repeat the parameter): "
            "at_risk and stalled list those needing a look.",
        ),
    ] = None,
) -> dict[str, Any]:
    """The caller's relationships (newest first), optionally by program, status and
    health. A program admin naming a program they administer gets all of that program's."""
    docs, total = await relationships.page(
        uow, program_id=program_id, status=status_, health=health, **dict(page)
    )
    return page.of([relationship_read(d) for d in docs], total)


@router.get("/{relationship_id}", response_model=RelationshipRead, dependencies=[READER])
async def get_relationship(relationship_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    """A relationship of the caller's, or of a program they administer."""
    return relationship_read(await relationships.visible(uow, relationship_id=relationship_id))


@router.post("/{relationship_id}/end", **member_write(RelationshipRead))
async def end_relationship_early(
    relationship_id: PathIdentifier, body: RelationshipEnd, uow: Work
) -> dict[str, Any]:
    """A member ends it early; every member is asked for a closing survey."""
    doc = await relationships.end_early(uow, relationship_id=relationship_id, comment=body.comment)
    return relationship_read(doc)
