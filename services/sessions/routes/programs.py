"""The program settings sessions applies."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from services.sessions import projections
from services.sessions.deps import READER, Work
from shared.inputs import PathIdentifier

router = APIRouter(prefix="/programs", tags=["programs"])


class ProgramSettingsRead(BaseModel):
    id: str
    kind: str
    cadence_days: int
    feedback_visible_to_peers: bool
    starts_on: str | None
    ends_on: str | None
    status: str


@router.get("/{program_id}", response_model=ProgramSettingsRead, dependencies=[READER])
async def get_program_settings(program_id: PathIdentifier, uow: Work) -> dict[str, object]:
    """The program settings sessions applies (its projection of ``mentoring.programs.v1``):
    for employees and services; an admin sees the programs they administer."""
    doc = await projections.visible_program(uow, program_id=program_id)
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "as_of")}}
