"""The sessions HTTP API (for the HR portal and employees). Routes translate only.

Domain refusals map to HTTP in ``shared.http`` (one mapping for every API). Who may
call what is decided before: a missing token is 401, a wrong role 403, another
person's object 404 (``deps``).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from services.sessions.bootstrap import SERVICE
from services.sessions.deps import READER, Caller, Store, administers
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


def create_app(settings: SessionsSettings | None = None) -> FastAPI:
    app = create_api(
        SERVICE.runtime(settings or SessionsSettings()),
        title="Sessions API",
        description="Relationships, meetings, feedback, commitments, journal and health.",
        # the hot route (GET /meetings) first: routing and metrics labelling scan in order
        routers=[meetings.router, relationships.router, commitments.router, programs],
        require_token=True,
    )

    return app
