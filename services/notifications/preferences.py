"""Preferences service: a person's stored preferences <-> the domain ``Preferences``.

A person without stored preferences gets the defaults in their contact's time zone.
Webhook URLs (generic, Slack, Teams) are addresses, kept with the preferences and
never published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.notifications.domain.model import Channel, NotificationType
from services.notifications.domain.preferences import DEFAULT_CHANNELS, Preferences
from services.notifications.domain.quiet_hours import QuietHours
from services.notifications.store import PREFERENCES, NotificationsStore
from shared.mongo import ConcurrencyConflict, Document

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


def default_preferences_doc(person_id: str, contact: Mapping[str, Any] | None) -> Document:
    return {
        "_id": person_id,
        "time_zone": (contact or {}).get("time_zone") or "UTC",
        "default_channels": [str(c) for c in DEFAULT_CHANNELS],
        "channels": {},
        "opted_out": [],
        "quiet_hours": None,
        "daily_digest_at": None,
        "webhook_url": None,
        "slack_webhook_url": None,
        "teams_webhook_url": None,
        "version": 0,
    }


def _time(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def to_domain(doc: Mapping[str, Any]) -> Preferences:
    """The domain value of a stored (or default) preferences document."""
    quiet = doc.get("quiet_hours")
    return Preferences(
        person_id=doc["_id"],
        time_zone=doc.get("time_zone") or "UTC",
        default_channels=tuple(Channel(c) for c in doc.get("default_channels", DEFAULT_CHANNELS)),
        channels={
            NotificationType(t): tuple(Channel(c) for c in chs)
            for t, chs in (doc.get("channels") or {}).items()
        },
        opted_out=frozenset(NotificationType(t) for t in doc.get("opted_out") or ()),
        quiet_hours=QuietHours(_time(quiet["start"]), _time(quiet["end"])) if quiet else None,  # type: ignore[arg-type]
        daily_digest_at=_time(doc.get("daily_digest_at")),
    )


async def get_preferences(store: NotificationsStore, person_id: str) -> Document:
    """The stored preferences, or the defaults (``version`` 0) if none were saved."""
    doc = await store.preferences.get(person_id)
    if doc is not None:
        return doc
    contact = await store.contacts.find_one({"_id": person_id})
    return default_preferences_doc(person_id, contact)


async def preferences_for(
    store: NotificationsStore, person_ids: Iterable[str], contacts: Mapping[str, Document]
) -> dict[str, Document]:
    """Stored or default preferences of many people at once."""
    ids = list(dict.fromkeys(person_ids))
    stored = await store.by_ids(PREFERENCES, ids)
    return {pid: stored.get(pid) or default_preferences_doc(pid, contacts.get(pid)) for pid in ids}


async def put_preferences(
    store: NotificationsStore, person_id: str, values: Mapping[str, Any]
) -> Document:
    """Replace a person's preferences whole; validated through the domain first."""
    for _ in range(5):
        current = await get_preferences(store, person_id)
        new = {**current, **{k: values[k] for k in FIELDS if k in values}}
        to_domain(new)  # raises InvalidInput on an unknown zone or bad times
        try:
            if current["version"] == 0:
                new.pop("version", None)
                return await store.preferences.insert(new)
            return await store.preferences.replace(new)
        except (DuplicateKeyError, ConcurrencyConflict):
            continue
    raise ConcurrencyConflict(person_id)
