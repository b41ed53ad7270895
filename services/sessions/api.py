"""The sessions HTTP API (for the HR portal and employees). Routes translate only.

Domain refusals map to HTTP here, in one place: ``IllegalTransition`` -> 409,
``InvalidInput`` -> 422, ``NotAMember`` -> 403, each with the domain's reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.sessions.bootstrap import build_runtime
from services.sessions.deps import Store
from services.sessions.domain import IllegalTransition, InvalidInput, NotAMember
from services.sessions.routes import commitments, meetings, relationships
from services.sessions.settings import SessionsSettings
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


@programs.get("/{program_id}", response_model=ProgramSettingsRead)
async def get_program_settings(program_id: str, store: Store) -> dict[str, object]:
    """The program settings sessions applies (its projection of ``mentoring.programs.v1``)."""
    doc = await store.programs.find_one({"_id": program_id})
    if doc is None:
        raise NotFound(f"program {program_id}")
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "as_of")}}


def _error(status: int, detail: Any) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def create_app(settings: SessionsSettings | None = None) -> FastAPI:
    app = create_api(
        build_runtime(settings or SessionsSettings()),
        title="Sessions API",
        description="Relationships, meetings, feedback, commitments, journal and health.",
        # the hot route (GET /meetings) first: routing and metrics labelling scan in order
        routers=[meetings.router, relationships.router, commitments.router, programs],
    )

    @app.exception_handler(IllegalTransition)
    async def illegal(_request: Request, exc: IllegalTransition) -> JSONResponse:
        return _error(409, exc.reason)

    @app.exception_handler(InvalidInput)
    async def invalid(_request: Request, exc: InvalidInput) -> JSONResponse:
        return _error(422, [{"loc": ["body"], "msg": exc.reason, "type": "invalid_input"}])

    @app.exception_handler(NotAMember)
    async def forbidden(_request: Request, exc: NotAMember) -> JSONResponse:
        return _error(403, exc.reason)

    return app
