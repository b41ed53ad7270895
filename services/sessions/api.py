"""The sessions HTTP API (for the HR portal and employees)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel

from services.sessions.bootstrap import build_runtime
from services.sessions.settings import SessionsSettings
from services.sessions.store import SessionsStore
from shared.http import create_api
from shared.mongo import NotFound

router = APIRouter(prefix="/programs", tags=["programs"])


def get_store(request: Request) -> SessionsStore:
    return SessionsStore(request.app.state.runtime.db)


Store = Annotated[SessionsStore, Depends(get_store)]


class ProgramSettingsRead(BaseModel):
    id: str
    kind: str
    cadence_days: int
    feedback_visible_to_peers: bool
    starts_on: str | None
    ends_on: str | None
    status: str


@router.get("/{program_id}", response_model=ProgramSettingsRead)
async def get_program_settings(program_id: str, store: Store) -> dict[str, object]:
    """The program settings sessions applies (its projection of ``mentoring.programs.v1``)."""
    doc = await store.programs.find_one({"_id": program_id})
    if doc is None:
        raise NotFound(f"program {program_id}")
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "as_of")}}


def create_app(settings: SessionsSettings | None = None) -> FastAPI:
    return create_api(
        build_runtime(settings or SessionsSettings()),
        title="Sessions API",
        description="Relationships, meetings, feedback, commitments, journal and health.",
        routers=[router],
    )
