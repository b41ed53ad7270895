"""Dependencies every sessions route shares, and the API's access rules in one place.

Function-level: each route names the roles it admits (a wrong role is 403):

* ``MEMBER`` -- employees acting on their own relationships, meetings, notes,
  journal, feedback, goals, action items and time;
* ``READER`` -- also program admins and services, for relationship and meeting
  *summaries* (never note, agenda, journal or feedback text);
* ``REPORTER`` -- program admins, HR analysts and services, for HR aggregates.

Object-level (the helpers below): another person's object, or a program the caller
does not administer, is 404, so existence does not leak.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from services.sessions.store import SessionsStore
from shared.api import MAX_PAGE_SIZE, PageParams, page_params
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.http import clock
from shared.mongo import Document, NotFound
from shared.runtime import Runtime

MEMBER = require_roles(Role.EMPLOYEE)
READER = require_roles(Role.EMPLOYEE, Role.PROGRAM_ADMIN, Role.SERVICE)
REPORTER = require_roles(Role.PROGRAM_ADMIN, Role.HR_ANALYST, Role.SERVICE)


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_store(request: Request) -> SessionsStore:
    """One store per started runtime (building collection handles per request costs)."""
    state = request.app.state
    db = state.runtime.db
    store: SessionsStore | None = getattr(state, "sessions_store", None)
    if store is None or store.db is not db:
        store = SessionsStore(db)
        state.sessions_store = store
    return store


async def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    """``shared.api.page_params`` as an async dependency (no thread-pool hop per request)."""
    return page_params(limit=limit, offset=offset)


#: Who is calling: the verified bearer token's ``Principal`` (subject and roles).
Caller = CurrentPrincipal
Store = Annotated[SessionsStore, Depends(get_store)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Now = Annotated[datetime, Depends(clock)]
Paging = Annotated[PageParams, Depends(paging)]


def page_of(items: list[object], total: int, limit: int, offset: int) -> dict[str, object]:
    return {"items": items, "total": total, "limit": limit, "offset": offset}


# ---- object-level rules -------------------------------------------------------------


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


async def administered_program(
    store: SessionsStore, program_id: str, caller: Principal
) -> Document:
    """The program projection, if the caller administers it; otherwise 404."""
    program = await store.programs.find_one({"_id": program_id})
    if program is None or not administers(caller, program):
        raise NotFound(f"program {program_id}")
    return program


async def reportable_program(store: SessionsStore, program_id: str, caller: Principal) -> Document:
    """HR analysts and services may report on any program; admins on their own (else 404)."""
    program = await store.programs.find_one({"_id": program_id})
    if program is None or not (caller.has(Role.HR_ANALYST) or administers(caller, program)):
        raise NotFound(f"program {program_id}")
    return program


async def visible_relationship(
    store: SessionsStore, relationship_id: str, caller: Principal
) -> Document:
    """A relationship of the caller's, or of a program they administer; otherwise 404."""
    doc = await store.relationships.get(relationship_id)
    if doc is not None and is_member(caller, doc.get("member_ids", [])):
        return doc
    if doc is not None and administers(caller, await _program_of(store, doc)):
        return doc
    raise NotFound(f"relationship {relationship_id}")


async def visible_to_admin(store: SessionsStore, doc: Document | None, caller: Principal) -> bool:
    """Whether the caller administers the program of ``doc`` (a meeting or a series)."""
    if doc is None or not caller.has(Role.PROGRAM_ADMIN, Role.SERVICE):
        return False
    return administers(caller, await _program_of(store, doc))


async def _program_of(store: SessionsStore, doc: Document) -> Document | None:
    program_id = doc.get("program_id")
    if not program_id:
        return None
    return await store.programs.find_one({"_id": program_id})
