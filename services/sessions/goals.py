"""Goals of a relationship (shared, or personal to the member who set them)."""

from __future__ import annotations

from services.sessions.deps import caller_of, in_members_relationship, members_relationship
from services.sessions.domain.goals import Goal, achieve_goal, drop_goal, set_goal
from services.sessions.mapping import from_doc, stored
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship
from services.sessions.store import GOALS
from services.sessions.unit_of_work import Work
from shared.mongo import Document


async def add(
    uow: Work, *, goal_id: str, relationship_id: str, title: str, personal: bool
) -> Document:
    """A member sets a goal; a repeated ``goal_id`` returns the first."""
    rel = load_relationship(await members_relationship(uow, relationship_id))
    owner = caller_of(uow).subject if personal else None
    outcome = set_goal(rel, goal_id=goal_id, owner_id=owner, title=title, now=uow.now)
    doc = stored(outcome.state, program_id=rel.program_id)
    saved, _ = await uow.store.insert_new(uow.store.goals, stage(uow, doc, outcome.events))
    return saved


async def close(uow: Work, *, goal_id: str, achieved: bool) -> Document:
    """Achieve or drop a goal of one of the caller's relationships."""
    doc = await in_members_relationship(uow, await uow.store.goals.get(goal_id), f"goal {goal_id}")
    move = achieve_goal if achieved else drop_goal
    outcome = move(from_doc(Goal, doc), program_id=doc["program_id"], now=uow.now)
    new = stored(outcome.state, doc, program_id=doc["program_id"])
    return await uow.store.goals.replace(stage(uow, new, outcome.events))


async def page(
    uow: Work, *, relationship_id: str, status: str | None, limit: int, offset: int
) -> tuple[list[Document], int]:
    await members_relationship(uow, relationship_id)
    return await uow.store.page_in_relationship(
        GOALS,
        relationship_id,
        {"status": status},
        sort=[("created_at", 1)],
        limit=limit,
        offset=offset,
    )


def goal_read(doc: Document) -> Goal:
    """The goal of a stored document (the API answers with its fields)."""
    return from_doc(Goal, doc)
