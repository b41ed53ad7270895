"""Stored documents <-> the notification domain's objects.

* The due-queue: a planned notification <-> its queue document. An item lives there
  until it is settled (sent, failed or suppressed); then the dispatcher deletes it and
  the ledger is its record. ``DONE``/``FAILED``/``SUPPRESSED`` remain the states of
  items settled by earlier versions, which kept them.
* Preferences: a person's stored (or default) preferences document <-> the domain
  ``Preferences``; a person without stored preferences gets the defaults in their
  contact's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from services.notifications.domain.model import (
    Channel,
    NotificationType,
    PayloadValue,
    PlannedNotification,
    SuppressionReason,
)
from services.notifications.domain.preferences import DEFAULT_CHANNELS, Preferences
from services.notifications.domain.quiet_hours import QuietHours
from services.notifications.store import to_ms
from services.notifications.store_queue import PENDING
from shared.mongo import Document
from shared.tracing import current_trace


def queue_doc(
    item: PlannedNotification, *, now: datetime, extra: Mapping[str, Any] | None = None
) -> Document:
    """A new pending queue item; ``_id`` is the domain de-duplication key. It keeps the
    trace it was planned in (when tracing is on), so its delivery continues that trace."""
    traceparent, tracestate = current_trace()
    trace = {"traceparent": traceparent, "tracestate": tracestate} if traceparent else {}
    return {
        **trace,
        "_id": item.key,
        "stream": item.stream,
        "recipient_id": item.recipient_id,
        "type": str(item.type),
        "subject_id": item.subject_id,
        "due_at": item.due_at,
        "due_ms": to_ms(item.due_at),
        "deadline": item.deadline,
        "deadline_reason": str(item.deadline_reason),
        "mandatory": item.mandatory,
        "payload": {k: list(v) if isinstance(v, tuple) else v for k, v in item.payload.items()},
        "extra": dict(extra or {}),
        "state": PENDING,
        "lease_ms": 0,
        "lease_owner": None,
        "interrupted": 0,
        "channels": None,
        "created_at": now,
    }


def planned_from_doc(doc: Document) -> PlannedNotification:
    payload: dict[str, PayloadValue] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in doc["payload"].items()
    }
    return PlannedNotification(
        recipient_id=doc["recipient_id"],
        type=NotificationType(doc["type"]),
        subject_id=doc["subject_id"],
        due_at=doc["due_at"],
        mandatory=doc["mandatory"],
        deadline=doc.get("deadline"),
        deadline_reason=SuppressionReason(doc["deadline_reason"]),
        payload=payload,
    )


# ---- preferences ---------------------------------------------------------------------


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


def preferences(doc: Mapping[str, Any]) -> Preferences:
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
        quiet_hours=QuietHours(time.fromisoformat(quiet["start"]), time.fromisoformat(quiet["end"]))
        if quiet
        else None,
        daily_digest_at=_time(doc.get("daily_digest_at")),
    )
