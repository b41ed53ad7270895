"""FastAPI dependencies of the matcher API and its access rules, in one place.

Function-level: ``require_roles`` on each route (a wrong role is 403). Object-level:
the helpers below answer 404 for another person's objects or another admin's
programs, so existence does not leak.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.matcher.store import MatcherStore
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.mongo import Document, NotFound
from shared.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_store(request: Request) -> MatcherStore:
    return MatcherStore(request.app.state.runtime.db)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
StoreDep = Annotated[MatcherStore, Depends(get_store)]
Caller = CurrentPrincipal

ADMIN = require_roles(Role.PROGRAM_ADMIN, Role.SERVICE)
PARTICIPANT = require_roles(Role.EMPLOYEE)
ANYONE_BUT_ANALYST = require_roles(Role.EMPLOYEE, Role.PROGRAM_ADMIN, Role.SERVICE)


def administers(caller: Principal, program: Document) -> bool:
    return caller.has(Role.SERVICE) or (
        caller.has(Role.PROGRAM_ADMIN) and caller.subject in program.get("admin_ids", [])
    )


async def administered_program(store: MatcherStore, program_id: str, caller: Principal) -> Document:
    """The program, if the caller administers it; otherwise 404."""
    program = await store.programs.get(program_id)
    if program is None or not administers(caller, program):
        raise NotFound(f"program {program_id}")
    return program


def visible_match(caller: Principal, match: Document, program: Document) -> bool:
    return caller.subject in match["member_ids"] or administers(caller, program)
