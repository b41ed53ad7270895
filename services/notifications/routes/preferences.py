"""A person's delivery preferences: read and replace (only one's own; others are 404)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from services.notifications import preferences
from services.notifications.deps import CallerDep, StoreDep
from services.notifications.domain import InvalidInput
from services.notifications.schemas import PreferencesRead, PreferencesUpdate
from shared.mongo import Document, NotFound

router = APIRouter(prefix="/people/{person_id}/preferences", tags=["preferences"])


def preferences_read(doc: Document) -> dict[str, object]:
    return {"person_id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}


def _own(person_id: str, caller: str) -> None:
    if person_id != caller:
        raise NotFound(f"preferences of {person_id}")


@router.get("", response_model=PreferencesRead)
async def get_preferences(person_id: str, caller: CallerDep, store: StoreDep) -> dict[str, object]:
    """Stored preferences, or the defaults (version 0) in the contact's time zone."""
    _own(person_id, caller)
    return preferences_read(await preferences.get_preferences(store, person_id))


@router.put("", response_model=PreferencesRead)
async def put_preferences(
    person_id: str, body: PreferencesUpdate, caller: CallerDep, store: StoreDep
) -> dict[str, object]:
    """Replace the preferences whole (channels per type, opt-outs, quiet hours, digest)."""
    _own(person_id, caller)
    values = body.model_dump(mode="json")
    try:
        doc = await preferences.put_preferences(store, person_id, values)
    except InvalidInput as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from exc
    return preferences_read(doc)
