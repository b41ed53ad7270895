"""Service layer, blocks: a participant blocks another person, across every program.

The pair never matches again (``pool.program_pool_input`` hands the blocks to the
solvers and self-match as a silent hard constraint), and any live match between them
ends quietly: through the usual end (``endings.end``) with ``ended_by_member``, the
reason of a member who ends a relationship early, so nobody is told of a block. A block
is audited (target: the blocker, whose trail no API serves) and visible to the blocker
alone; lifting it (``unblock``) lets the pair meet in later rounds, unless they were
matched before.
"""

from __future__ import annotations

import uuid

from services.matcher import endings
from services.matcher.deps import caller_of
from services.matcher.people import require_people
from services.matcher.store import Page
from services.matcher.unit_of_work import Work
from shared.api import PageParams
from shared.errors import InvalidInput
from shared.mongo import Document, NotFound


def block_id_for(blocker_id: str, blocked_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"block/{blocker_id}/{blocked_id}"))


async def block_person(uow: Work, *, person_id: str) -> Document:
    """Block ``person_id`` for the caller (again: nothing new) and end their live matches."""
    blocker = caller_of(uow).subject
    if person_id == blocker:
        raise InvalidInput("person_id: you cannot block yourself")
    await require_people(uow, "person_id", [person_id])
    block_id = block_id_for(blocker, person_id)
    existing = await uow.store.blocks.get(block_id)
    if existing is not None and existing["active"]:
        doc = existing
    else:
        doc = {
            **(existing or {"_id": block_id}),
            "blocker_id": blocker,
            "blocked_id": person_id,
            "active": True,
            "created_at": uow.now,
        }
        doc = uow.audit(doc, "person.blocked", target=blocker, details={"person_id": person_id})
        write = uow.store.blocks.insert if existing is None else uow.store.blocks.replace
        doc = await write(doc)
    await _end_live_matches(uow, blocker, person_id)
    return doc


async def _end_live_matches(uow: Work, blocker: str, blocked: str) -> None:
    """Every live match of the two, in any program, ends as a member's early end would."""
    live = await uow.store.matches_of_people([blocker], list(endings.LIVE))
    for doc in live:
        if blocked in doc["member_ids"]:
            await endings.end(uow, doc, reason=endings.ENDED_BY_MEMBER)


async def unblock_person(uow: Work, *, person_id: str) -> Document:
    """Lift the caller's block of ``person_id`` (no such block in force: 404)."""
    blocker = caller_of(uow).subject
    doc = await uow.store.blocks.get(block_id_for(blocker, person_id))
    if doc is None or not doc["active"]:
        raise NotFound(f"block of {person_id}")
    doc = {**doc, "active": False, "lifted_at": uow.now}
    doc = uow.audit(doc, "person.unblocked", target=blocker, details={"person_id": person_id})
    return await uow.store.blocks.replace(doc)


async def list_blocks(uow: Work, *, page: PageParams) -> Page:
    """The caller's blocks in force, newest first."""
    return await uow.store.blocks_by(caller_of(uow).subject, page=page)
