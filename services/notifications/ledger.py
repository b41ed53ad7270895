"""The delivery ledger: one document per (notification, channel), attempts and outcome.

Its ``_id`` is the domain ``delivery_key``; it is written once per attempt, after the
send, with the outcome (the queue item's lease keeps two workers from sending the same
item; ``status`` ``sending`` is what a document built before a send says, and what an
interrupted attempt of an earlier version left). A settled entry is never sent again.
Outcome events ride on it through the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.notifications.domain.dedupe import delivery_key
from services.notifications.domain.model import Channel, PlannedNotification
from services.notifications.store import to_ms
from services.notifications.unit_of_work import Work
from shared.contracts.envelope import EventData
from shared.contracts.notifications import DeliveryFailed, DeliverySent, DeliverySuppressed
from shared.contracts.registry import DELIVERIES
from shared.mongo import Document

SENDING = "sending"
SENT = "sent"
RETRYING = "retrying"
FAILED = "failed"
SUPPRESSED = "suppressed"
FINAL = (SENT, FAILED, SUPPRESSED)


def suppressed_id(notification_key: str) -> str:
    """The ledger id recording that a notification was suppressed (no channel)."""
    return f"{notification_key}:suppressed"


def ledger_ids(notification_key: str) -> list[str]:
    """Every ledger id a notification can have: one per channel, and its suppression."""
    return [*(delivery_key(notification_key, c) for c in Channel), suppressed_id(notification_key)]


def new_ledger_doc(
    planned: PlannedNotification, delivery_id: str, channel: str, *, now: datetime, owner: str
) -> Document:
    return {
        "_id": delivery_id,
        "notification_key": planned.key,
        "channel": channel,
        "recipient_id": planned.recipient_id,
        "type": str(planned.type),
        "subject_id": planned.subject_id,
        "status": SENDING,
        "attempt": 1,
        "attempts": [],
        "crash_retried": False,
        "owner": owner,
        "next_ms": None,
        "reason": None,
        "created_at": now,
        "updated_ms": to_ms(now),
        "version": 1,
    }


def record_attempt(
    doc: Document,
    *,
    status: str,
    now: datetime,
    outcome: str,
    reason: str | None = None,
    next_ms: int | None = None,
) -> Document:
    attempt = {"n": doc["attempt"], "at_ms": to_ms(now), "outcome": outcome, "reason": reason}
    return {
        **doc,
        "status": status,
        "attempts": [*doc.get("attempts", []), attempt],
        "reason": reason,
        "next_ms": next_ms,
        "updated_ms": to_ms(now),
    }


def with_event(uow: Work, doc: Document, data: EventData, *, suffix: str) -> Document:
    """Stage ``data`` on the ledger document with a deterministic event id."""
    return uow.stage(doc, DELIVERIES, data, event_id=f"{doc['_id']}:{suffix}")


def _facts(doc: Document) -> dict[str, Any]:
    return {
        "delivery_id": doc["_id"],
        "recipient_id": doc["recipient_id"],
        "notification_type": doc["type"],
        "subject_id": doc["subject_id"],
        "channel": doc["channel"],
        "attempt": max(1, doc["attempt"]),
    }


def sent_event(doc: Document) -> DeliverySent:
    return DeliverySent(**_facts(doc))


def failed_event(doc: Document, reason: str, *, permanent: bool) -> DeliveryFailed:
    return DeliveryFailed(**_facts(doc), reason_code=reason[:100], permanent=permanent)


def suppressed_event(doc: Document, reason: str) -> DeliverySuppressed:
    return DeliverySuppressed(**_facts(doc), reason_code=reason)
