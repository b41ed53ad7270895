"""Preferences service: a person reads and replaces their own delivery preferences.

A person without stored preferences gets the defaults in their contact's time zone
(``mapping.default_preferences_doc``). Webhook URLs (generic, Slack, Teams) are
addresses, kept with the preferences and never published. Machine callers read
anyone's (the route hides the addresses from them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.notifications import mapping
from services.notifications.deps import caller_of, may_read_preferences, require_own
from services.notifications.store import NotificationsStore
from services.notifications.unit_of_work import Work
from shared.mongo import ConcurrencyConflict, Document, NotFound

FIELDS = (
    "time_zone",
    "default_channels",
    "channels",
    "opted_out",
    "quiet_hours",
    "daily_digest_at",
    "webhook_url",
    "slack_webhook_url",
    "teams_webhook_url",
)


async def get_preferences(uow: Work, *, person_id: str) -> Document:
    """The stored preferences, or the defaults (``version`` 0) if none were saved; only
    the person themself or a machine caller may read them (anyone else: 404)."""
    if not may_read_preferences(caller_of(uow), person_id):
        raise NotFound(f"preferences of {person_id}")
    return await _stored_or_default(uow.store, person_id)


async def put_preferences(uow: Work, *, person_id: str, values: Mapping[str, Any]) -> Document:
    """Replace one's own preferences whole; validated through the domain first
    (``InvalidInput`` on an unknown zone or bad times)."""
    require_own(caller_of(uow), person_id, "preferences")
    for _ in range(5):
        current = await _stored_or_default(uow.store, person_id)
        new = {**current, **{k: values[k] for k in FIELDS if k in values}}
        mapping.preferences(new)  # raises InvalidInput on an unknown zone or bad times
        try:
            if current["version"] == 0:
                new.pop("version", None)
                return await uow.store.preferences.insert(new)
            return await uow.store.preferences.replace(new)
        except (DuplicateKeyError, ConcurrencyConflict):
            continue
    raise ConcurrencyConflict(person_id)


async def preferences_for(
    store: NotificationsStore, person_ids: Iterable[str], contacts: Mapping[str, Document]
) -> dict[str, Document]:
    """Stored or default preferences of many people at once (dispatcher, schedules)."""
    ids = list(dict.fromkeys(person_ids))
    stored = await store.stored_preferences(ids)
    return {
        pid: stored.get(pid) or mapping.default_preferences_doc(pid, contacts.get(pid))
        for pid in ids
    }


async def _stored_or_default(store: NotificationsStore, person_id: str) -> Document:
    doc = await store.preferences.get(person_id)
    if doc is not None:
        return doc
    return mapping.default_preferences_doc(person_id, await store.contact(person_id))
