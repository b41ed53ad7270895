"""Dependencies every sessions route shares, and the API's access rules in one place.

Function-level: each route names the roles it admits (a wrong role is 403):

* ``MEMBER`` -- employees acting on their own relationships, meetings, notes,
  journal, feedback, goals, action items and time;
* ``READER`` -- also program admins and services, for relationship and meeting
  *summaries* (never note, agenda, journal or feedback text);
* ``REPORTER`` -- program admins, HR analysts and services, for HR aggregates.

Object-level (the rules below, applied by the service layer to ``uow.caller``):
another person's object, or a program the caller does not administer, is 404, so
existence does not leak.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Response
from pydantic import BaseModel

from services.sessions.unit_of_work import Work as SessionsWork
from shared.api import CONFLICT, MAX_PAGE_SIZE, IdempotencyKey, PageParams, id_for, page_params
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.http import clock, request_unit_of_work
from shared.inputs import ID_PATTERN, MAX_ID_LENGTH, PathIdentifier
from shared.mongo import Document, NotFound, VersionedCollection

__all__ = [
    "MEMBER",
    "READER",
    "REPORTER",
    "Caller",
    "Paging",
    "QueryIdentifier",
    "Work",
    "clock",
]

MEMBER = require_roles(Role.EMPLOYEE)
READER = require_roles(Role.EMPLOYEE, Role.PROGRAM_ADMIN, Role.SERVICE)
REPORTER = require_roles(Role.PROGRAM_ADMIN, Role.HR_ANALYST, Role.SERVICE)


class Pager(PageParams):
    """The page a list request asks for (``limit``, ``offset``), and its answer."""

    def of(self, items: Sequence[object], total: int) -> dict[str, object]:
        return {"items": items, "total": total, "limit": self.limit, "offset": self.offset}


async def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> Pager:
    """``shared.api.page_params`` as an async dependency (no thread-pool hop per request)."""
    return Pager(**dict(page_params(limit=limit, offset=offset)))


#: Who is calling: the verified bearer token's ``Principal`` (subject and roles).
Caller = CurrentPrincipal
#: The request's unit of work (store, clock, source, caller); committed on return.
Work = Annotated[SessionsWork, Depends(request_unit_of_work)]
Paging = Annotated[Pager, Depends(paging)]
#: An id naming a filter in the query string, as plain and short as every id.
QueryIdentifier = Annotated[
    str | None, Query(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_PATTERN)
]


def member_write(model: Any, *, status_code: int = 200) -> dict[str, Any]:
    """The route arguments of a member's write answered with ``model`` (409 when the
    object's state does not allow it)."""
    return {
        "status_code": status_code,
        "response_model": model,
        "dependencies": [MEMBER],
        "responses": CONFLICT,
    }


def new_id(kind: str) -> Any:
    """A dependency: the id of the caller's new ``kind`` (``goal``, ``meeting``...), fresh,
    or the one made before for a repeated ``Idempotency-Key`` of the same caller."""

    async def for_caller(uow: Work, idempotency_key: IdempotencyKey = None) -> str:
        return id_for(idempotency_key, f"{kind}:{caller_of(uow).subject}")

    return Depends(for_caller)


@dataclass(frozen=True)
class NewIn:
    """A new object in a relationship (named by the path): its id and the relationship,
    and the answer to its request."""

    id: str
    relationship_id: str
    response: Response

    def answered(self, *, created: bool) -> None:
        """A repeated create answers 200 (with the first one), not 201."""
        if not created:
            self.response.status_code = 200


def in_relationship(kind: str) -> Any:
    """A dependency: a ``NewIn`` for the caller's new ``kind`` in ``{relationship_id}``,
    its id as ``new_id`` makes it."""

    async def for_caller(
        relationship_id: PathIdentifier, response: Response, object_id: str = new_id(kind)
    ) -> NewIn:
        return NewIn(object_id, relationship_id, response)

    return Depends(for_caller)


def idempotent_create(model: type[BaseModel]) -> dict[str, Any]:
    """The route arguments of a member's create that an ``Idempotency-Key`` makes safe to
    retry: 201 with ``model``, or 200 with the first one for a repeated key, or 409."""
    return {
        "status_code": 201,
        "response_model": model,
        "dependencies": [MEMBER],
        "responses": {
            200: {"model": model, "description": "Already created (same Idempotency-Key)."},
            **CONFLICT,
        },
    }


# ---- object-level rules -------------------------------------------------------------


def caller_of(uow: SessionsWork) -> Principal:
    """The unit's caller (every request has one; a consumer acting for nobody has not)."""
    if uow.caller is None:
        raise RuntimeError("this action needs a caller")
    return uow.caller


def administers(caller: Principal, program: Document | None) -> bool:
    """A service, or a program admin named in the program projection's ``admin_ids``."""
    if program is None:
        return False
    return caller.has(Role.SERVICE) or (
        caller.has(Role.PROGRAM_ADMIN) and caller.subject in program.get("admin_ids", [])
    )


def is_member(caller: Principal, ids: list[str]) -> bool:
    """Membership counts for employees only (an admin token acts as an admin)."""
    return caller.has(Role.EMPLOYEE) and caller.subject in ids


def _takes_part(uow: SessionsWork, doc: Document | None, field: str, what: str) -> Document:
    if doc is None or caller_of(uow).subject not in doc.get(field, []):
        raise NotFound(what)
    return doc


async def repeated_create(
    uow: SessionsWork, collection: VersionedCollection, object_id: str, what: str
) -> Document | None:
    """What a create with this id (the same ``Idempotency-Key``) made before, if the caller
    takes part in it (someone else's is 404 as ``what``); None on a first create."""
    existing = await collection.get(object_id)
    if existing is not None and caller_of(uow).subject not in existing["participant_ids"]:
        raise NotFound(f"{what} {object_id}")
    return existing


async def members_relationship(uow: SessionsWork, relationship_id: str) -> Document:
    """The relationship (its members' zones current), if the caller is one of its
    members; otherwise 404."""
    doc = await uow.store.relationship(relationship_id)
    return _takes_part(uow, doc, "member_ids", f"relationship {relationship_id}")


async def in_members_relationship(uow: SessionsWork, doc: Document | None, what: str) -> Document:
    """``doc`` (a goal, an action item) if it belongs to a relationship of the caller's;
    otherwise 404 as ``what``."""
    if doc is None:
        raise NotFound(what)
    await members_relationship(uow, doc["relationship_id"])
    return doc


async def participants_meeting(uow: SessionsWork, meeting_id: str) -> Document:
    """The meeting, if the caller takes part in it; otherwise 404."""
    doc = await uow.store.meetings.get(meeting_id)
    return _takes_part(uow, doc, "participant_ids", f"meeting {meeting_id}")


async def participants_series(uow: SessionsWork, series_id: str) -> Document:
    """The series, if the caller takes part in it; otherwise 404."""
    doc = await uow.store.series.get(series_id)
    return _takes_part(uow, doc, "participant_ids", f"series {series_id}")


#: The objects a body may name, by field: the store's collection of each.
REFERENCED = {"meeting_id": "meetings", "goal_id": "goals"}


async def check_references(uow: SessionsWork, relationship_id: str, **ids: str | None) -> None:
    """Every object a body names (``meeting_id=...``, ``goal_id=...``) exists in the same
    relationship; otherwise 404 naming the field."""
    for field, ref_id in ids.items():
        if ref_id is None:
            continue
        doc = await getattr(uow.store, REFERENCED[field]).get(ref_id)
        if doc is None or doc.get("relationship_id") != relationship_id:
            raise NotFound(f"{field}: {ref_id} in relationship {relationship_id}")


async def administered_program(uow: SessionsWork, program_id: str) -> Document:
    """The program projection, if the caller administers it; otherwise 404."""
    program = await uow.store.program(program_id)
    if program is None or not administers(caller_of(uow), program):
        raise NotFound(f"program {program_id}")
    return program


async def reportable_program(uow: SessionsWork, program_id: str) -> Document:
    """HR analysts and services may report on any program; admins on their own (else 404)."""
    caller = caller_of(uow)
    program = await uow.store.program(program_id)
    if program is None or not (caller.has(Role.HR_ANALYST) or administers(caller, program)):
        raise NotFound(f"program {program_id}")
    return program


async def visible_relationship(uow: SessionsWork, relationship_id: str) -> Document:
    """A relationship of the caller's, or of a program they administer; otherwise 404."""
    caller = caller_of(uow)
    doc = await uow.store.relationship(relationship_id)
    if doc is not None and is_member(caller, doc.get("member_ids", [])):
        return doc
    if doc is not None and administers(caller, await _program_of(uow, doc)):
        return doc
    raise NotFound(f"relationship {relationship_id}")


async def visible_to_admin(uow: SessionsWork, doc: Document | None) -> bool:
    """Whether the caller administers the program of ``doc`` (a meeting or a series)."""
    caller = caller_of(uow)
    if doc is None or not caller.has(Role.PROGRAM_ADMIN, Role.SERVICE):
        return False
    return administers(caller, await _program_of(uow, doc))


async def _program_of(uow: SessionsWork, doc: Document) -> Document | None:
    program_id = doc.get("program_id")
    if not program_id:
        return None
    return await uow.store.program(program_id)
