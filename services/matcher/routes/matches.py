"""Matches: list with explanations, read, accept or decline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.matcher import match_admin, matches
from services.matcher.deps import (
    ADMIN,
    ANYONE_BUT_ANALYST,
    PARTICIPANT,
    Paging,
    QueryIdentifier,
    Work,
)
from services.matcher.lifecycle_schemas import MatchEnd, MatchResolve
from services.matcher.routes.reads import as_page, as_read
from services.matcher.schemas import MatchAnswer, MatchRead
from shared.api import CONFLICT, Page
from shared.inputs import PathIdentifier

router = APIRouter(prefix="/matches", tags=["matches"])


@router.get("", response_model=Page[MatchRead], dependencies=[ANYONE_BUT_ANALYST])
async def list_matches(
    uow: Work,
    page: Paging,
    program_id: QueryIdentifier = None,
    person_id: QueryIdentifier = None,
    state: Annotated[
        str | None, Query(pattern="^(proposed|active|declined|flagged|ended)$")
    ] = None,
) -> dict[str, object]:
    """Employees see their own matches; admins the matches of a program they run."""
    found = await matches.list_matches(
        uow,
        program_id=program_id,
        person_id=person_id,
        state=state,
        page=page,
    )
    return as_page(found, page, as_read)


@router.get("/{match_id}", response_model=MatchRead, dependencies=[ANYONE_BUT_ANALYST])
async def get_match(match_id: PathIdentifier, uow: Work) -> dict[str, object]:
    return as_read(await matches.get_match(uow, match_id=match_id))


@router.post(
    "/{match_id}/answer", response_model=MatchRead, dependencies=[PARTICIPANT], responses=CONFLICT
)
async def answer_match(match_id: PathIdentifier, body: MatchAnswer, uow: Work) -> dict[str, object]:
    """The calling member accepts or declines; all members accepting activates the match."""
    return as_read(await matches.answer_match(uow, match_id=match_id, accept=body.accept))


@router.post(
    "/{match_id}/resolve", response_model=MatchRead, dependencies=[ADMIN], responses=CONFLICT
)
async def resolve_match(
    match_id: PathIdentifier, body: MatchResolve, uow: Work
) -> dict[str, object]:
    """A program admin resolves a flagged match: ``keep`` (``mentoring.match.resumed``),
    ``end`` or ``rematch`` (``mentoring.match.ended``). Not flagged: 409."""
    return as_read(await match_admin.resolve_match(uow, match_id=match_id, action=body.action))


@router.post("/{match_id}/end", response_model=MatchRead, dependencies=[ADMIN], responses=CONFLICT)
async def end_match(match_id: PathIdentifier, body: MatchEnd, uow: Work) -> dict[str, object]:
    """A program admin ends a live match (``mentoring.match.ended``, ``ended_by_admin``)."""
    return as_read(await match_admin.end_match_by_admin(uow, match_id=match_id, reason=body.reason))
