"""A person's delivery preferences: read and replace.

Employees and program admins read and replace their own (another person's are 404);
machine callers (``service``) read anyone's without the addresses kept in them
(webhook URLs) and change none; HR analysts are refused (403).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from services.notifications import preferences
from services.notifications.deps import PERSONAL, PREFERENCE_READERS, Work, caller_of, is_own
from services.notifications.schemas import (
    AnyPreferencesRead,
    PreferencesRead,
    PreferencesUpdate,
    PreferencesView,
)
from shared.api import CONFLICT, unprocessable
from shared.errors import InvalidInput
from shared.inputs import Identifier
from shared.mongo import Document

router = APIRouter(prefix="/people/{person_id}/preferences", tags=["preferences"])

PersonId = Annotated[Identifier, Path(description="The person's id.", examples=["p-000042"])]
_ADDRESSES = ("webhook_url", "slack_webhook_url", "teams_webhook_url")


def preferences_read(doc: Document) -> PreferencesRead:
    """The owner's view: everything, addresses included."""
    fields = {k: v for k, v in doc.items() if k not in ("_id", "view")}
    return PreferencesRead.model_validate({"view": "owner", "person_id": doc["_id"], **fields})


def preferences_view(doc: Document) -> PreferencesView:
    """A machine caller's view: no contact addresses."""
    hidden = {"_id", "view", *_ADDRESSES}
    fields = {k: v for k, v in doc.items() if k not in hidden}
    return PreferencesView.model_validate({"view": "service", "person_id": doc["_id"], **fields})


@router.get("", response_model=AnyPreferencesRead, dependencies=[PREFERENCE_READERS])
async def get_preferences(person_id: PersonId, uow: Work) -> PreferencesRead | PreferencesView:
    """Stored preferences, or the defaults (version 0) in the contact's time zone. The
    person sees their own (``view: owner``); a service sees anyone's without addresses
    (``view: service``)."""
    doc = await preferences.get_preferences(uow, person_id=person_id)
    own = is_own(caller_of(uow), person_id)
    return preferences_read(doc) if own else preferences_view(doc)


@router.put(
    "",
    response_model=PreferencesRead,
    dependencies=[PERSONAL],
    responses=CONFLICT,
)
async def put_preferences(
    person_id: PersonId, body: PreferencesUpdate, uow: Work
) -> PreferencesRead:
    """Replace one's own preferences whole (channels per type, opt-outs, quiet hours,
    digest)."""
    values = body.model_dump(mode="json")
    try:
        doc = await preferences.put_preferences(uow, person_id=person_id, values=values)
    except InvalidInput as exc:  # shaped like FastAPI's own 422, naming the field
        raise unprocessable(_field_of(str(exc)), str(exc)) from exc
    return preferences_read(doc)


def _field_of(message: str) -> str:
    """Which field a domain refusal is about, for a 422 shaped like FastAPI's own."""
    if "quiet hours" in message:
        return "quiet_hours"
    if "daily_digest_at" in message:
        return "daily_digest_at"
    return "time_zone"
