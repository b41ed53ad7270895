"""Matches: list with explanations, read, accept or decline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from services.matcher import matches
from services.matcher.deps import (
    ANYONE_BUT_ANALYST,
    PARTICIPANT,
    Caller,
    RuntimeDep,
    StoreDep,
    administered_program,
    visible_match,
)
from services.matcher.schemas import MatchAnswer, MatchRead
from shared.api import CONFLICT, Page, PageParams, page_params
from shared.auth import Role
from shared.mongo import Document, NotFound

router = APIRouter(prefix="/matches", tags=["matches"])


def match_read(doc: Document) -> dict[str, object]:
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if not k.startswith("_")}}


@router.get("", response_model=Page[MatchRead], dependencies=[ANYONE_BUT_ANALYST])
async def list_matches(
    store: StoreDep,
    caller: Caller,
    page: Annotated[PageParams, Depends(page_params)],
    program_id: Annotated[str | None, Query(max_length=100)] = None,
    person_id: Annotated[str | None, Query(max_length=100)] = None,
    state: Annotated[
        str | None, Query(pattern="^(proposed|active|declined|flagged|ended)$")
    ] = None,
) -> dict[str, object]:
    """Employees see their own matches; admins the matches of a program they run."""
    if program_id is not None and caller.has(Role.PROGRAM_ADMIN, Role.SERVICE):
        await administered_program(store, program_id, caller)
    elif not caller.has(Role.SERVICE):
        person_id = caller.subject  # without a program of theirs, only one's own
    docs, total = await store.list_matches(
        program_id=program_id,
        person_id=person_id,
        state=state,
        limit=page.limit,
        offset=page.offset,
    )
    return {
        "items": [match_read(d) for d in docs],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get("/{match_id}", response_model=MatchRead, dependencies=[ANYONE_BUT_ANALYST])
async def get_match(match_id: str, store: StoreDep, caller: Caller) -> dict[str, object]:
    doc = await store.matches.get(match_id)
    program = await store.programs.get(doc["program_id"]) if doc else None
    if doc is None or program is None or not visible_match(caller, doc, program):
        raise NotFound(f"match {match_id}")
    return match_read(doc)


@router.post(
    "/{match_id}/answer", response_model=MatchRead, dependencies=[PARTICIPANT], responses=CONFLICT
)
async def answer_match(
    match_id: str, body: MatchAnswer, caller: Caller, store: StoreDep, runtime: RuntimeDep
) -> dict[str, object]:
    """The calling member accepts or declines; all members accepting activates the match."""
    try:
        doc = await matches.answer_match(
            store,
            match_id=match_id,
            person_id=caller.subject,
            accept=body.accept,
            source=runtime.settings.source,
            now=datetime.now(UTC),
        )
    except matches.TransitionError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    runtime.nudge_outbox()
    return match_read(doc)
