"""Deterministic de-duplication keys.

The same fact planned any number of times yields the same keys, so an adapter can
upsert by key and a sender can refuse a key it has already delivered. Keys are
versioned (`ntf1:`) so the recipe can change without colliding with old keys.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

__all__ = ["dedupe_key", "stream_key", "delivery_key"]

_SEP = "\x1f"  # unit separator: cannot appear in ids by accident


def _digest(*parts: str) -> str:
    return hashlib.sha256(_SEP.join(parts).encode("utf-8")).hexdigest()[:32]


def dedupe_key(recipient_id: str, type_: str, subject_id: str, due_at: datetime | None) -> str:
    """Stable key of one planned notification; `due_at` is normalised to UTC seconds
    (``None``: one notification of this type about this subject, whenever it is due)."""
    if due_at is None:
        return "ntf1:" + _digest(recipient_id, str(type_), subject_id, "once")
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    due = due_at.astimezone(UTC).replace(microsecond=0).isoformat()
    return "ntf1:" + _digest(recipient_id, str(type_), subject_id, due)


def stream_key(recipient_id: str, type_: str, subject_id: str) -> str:
    """Stable key of all notifications of one type about one subject for one person."""
    return "nst1:" + _digest(recipient_id, str(type_), subject_id)


def delivery_key(notification_key: str, channel: str) -> str:
    """Idempotency key of one channel's delivery of one notification."""
    return f"{notification_key}:{channel}"
