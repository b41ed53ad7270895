"""The sessions HTTP API (for the HR portal and employees). Routes translate only.

Domain refusals map to HTTP here, in one place: ``IllegalTransition`` -> 409,
``InvalidInput`` and ``NotAMember`` -> 422, each with the domain's reason. Who may call
what is decided before: a missing token is 401, a wrong role 403, another person's
object 404 (``deps``). ``NotAMember`` reaching here is about an id in the request body
(an owner or attendee who is not a member), so it is an input error, not a 403.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.sessions.bootstrap import SERVICE
from services.sessions.deps import READER, Store, administers
from services.sessions.domain import IllegalTransition, InvalidInput, NotAMember
from services.sessions.identity import Caller
from services.sessions.routes import commitments, meetings, relationships
from services.sessions.settings import SessionsSettings
from shared.auth import Role
from shared.http import create_api
from shared.mongo import NotFound

programs = APIRouter(prefix="/programs", tags=["programs"])


class ProgramSettingsRead(BaseModel):
    id: str
    kind: str
    cadence_days: int
    feedback_visible_to_peers: bool
    starts_on: str | None
    ends_on: str | None
    status: str


@programs.get("/{program_id}", response_model=ProgramSettingsRead, dependencies=[READER])
async def get_program_settings(program_id: str, store: Store, caller: Caller) -> dict[str, object]:
    """The program settings sessions applies (its projection of ``mentoring.programs.v1``):
    for employees and services; an admin sees the programs they administer."""
    doc = await store.programs.find_one({"_id": program_id})
    if doc is None or not (caller.has(Role.EMPLOYEE) or administers(caller, doc)):
        raise NotFound(f"program {program_id}")
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "as_of")}}


def _error(status: int, detail: Any) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def create_app(settings: SessionsSettings | None = None) -> FastAPI:
    app = create_api(
        SERVICE.runtime(settings or SessionsSettings()),
        title="Sessions API",
        description="Relationships, meetings, feedback, commitments, journal and health.",
        # the hot route (GET /meetings) first: routing and metrics labelling scan in order
        routers=[meetings.router, relationships.router, commitments.router, programs],
        require_token=True,
    )

    @app.exception_handler(IllegalTransition)
    async def illegal(_request: Request, exc: IllegalTransition) -> JSONResponse:
        return _error(409, exc.reason)

    @app.exception_handler(InvalidInput)
    async def invalid(_request: Request, exc: InvalidInput) -> JSONResponse:
        return _error(422, [{"loc": ["body"], "msg": exc.reason, "type": "invalid_input"}])

    @app.exception_handler(NotAMember)
    async def not_a_member(_request: Request, exc: NotAMember) -> JSONResponse:
        return _error(422, [{"loc": ["body"], "msg": exc.reason, "type": "not_a_member"}])

    return app
