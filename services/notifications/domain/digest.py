"""Digests: a person's daily batch of non-urgent items, and the program-admin digest.

Daily digest: `resolve_delivery` answers `AddToDigest(digest_at)` for non-urgent items
when the person chose a digest time. The adapter keeps those items and, at `digest_at`,
calls `build_daily_digest` to plan one DAILY_DIGEST message that lists them.

Admin digest: the adapter collects what needs a program admin's attention (flagged
matches, at-risk or stalled relationships; `admin_flag_changes` says which a health
change raises and clears) and calls `plan_admin_digest` for each slot of the admin's
weekly schedule (`weekly_step`). An empty digest is never sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.local_time import iso_seconds, require_utc

from .model import NotificationType, PayloadValue, Plan, PlannedNotification

__all__ = [
    "build_daily_digest",
    "AdminFlag",
    "AdminDigestEntry",
    "admin_flag_changes",
    "RELATIONSHIP_FLAGS",
    "plan_admin_digest",
    "admin_digest_lines",
]


def build_daily_digest(
    recipient_id: str, items: Iterable[PlannedNotification], *, digest_at: datetime
) -> PlannedNotification | None:
    """One DAILY_DIGEST for `recipient_id` listing `items` (de-duplicated by key).

    Items addressed to someone else, or whose deadline is at or before `digest_at`, are
    left out; with nothing left there is no digest.
    The digest's key depends only on the recipient and `digest_at`, so building it
    twice for the same slot yields the same key.
    """
    due = require_utc(digest_at, "digest_at")
    unique: dict[str, PlannedNotification] = {}
    for item in items:
        expired = item.deadline is not None and item.deadline <= due
        if item.recipient_id == recipient_id and not expired:
            unique.setdefault(item.key, item)
    if not unique:
        return None
    ordered = sorted(unique.values(), key=lambda i: (i.due_at, i.key))
    payload: dict[str, PayloadValue] = {
        "item_keys": tuple(i.key for i in ordered),
        "item_types": tuple(str(i.type) for i in ordered),
        "item_subject_ids": tuple(i.subject_id for i in ordered),
        "count": len(ordered),
    }
    return PlannedNotification(
        recipient_id=recipient_id,
        type=NotificationType.DAILY_DIGEST,
        subject_id=f"daily:{recipient_id}",
        due_at=due,
        payload=payload,
    )


class AdminFlag(StrEnum):
    """Why something appears in the admin digest."""

    FLAGGED_MATCH = "flagged_match"
    AT_RISK_RELATIONSHIP = "at_risk_relationship"
    STALLED_RELATIONSHIP = "stalled_relationship"


@dataclass(frozen=True)
class AdminDigestEntry:
    """One item for the admins: a match or relationship id and since when it is flagged."""

    flag: AdminFlag
    subject_id: str
    since: datetime


#: Relationship health states that need an admin's look, and the flag each raises.
_HEALTH_FLAGS = {
    "at_risk": AdminFlag.AT_RISK_RELATIONSHIP,
    "stalled": AdminFlag.STALLED_RELATIONSHIP,
}


#: Every flag a relationship can carry (all cleared when it ends).
RELATIONSHIP_FLAGS: tuple[AdminFlag, ...] = tuple(_HEALTH_FLAGS.values())


def admin_flag_changes(health_state: str) -> tuple[AdminFlag | None, tuple[AdminFlag, ...]]:
    """(the flag a relationship's new health state raises, the flags it clears)."""
    raised = _HEALTH_FLAGS.get(health_state)
    return raised, tuple(f for f in RELATIONSHIP_FLAGS if f is not raised)


def _ordered(entries: Iterable[AdminDigestEntry]) -> list[AdminDigestEntry]:
    unique = {
        (e.flag, e.subject_id): e for e in sorted(entries, key=lambda e: e.since, reverse=True)
    }
    flags = list(AdminFlag)
    return sorted(unique.values(), key=lambda e: (flags.index(e.flag), e.since, e.subject_id))


def plan_admin_digest(
    program_id: str,
    admin_ids: Sequence[str],
    entries: Iterable[AdminDigestEntry],
    *,
    due_at: datetime,
) -> Plan:
    """One ADMIN_DIGEST per admin for `due_at`, or an empty plan when nothing is flagged.

    An entry flagged twice keeps its earliest `since`.
    """
    ordered = _ordered(entries)
    if not ordered or not admin_ids:
        return Plan()
    payload: dict[str, PayloadValue] = {
        "program_id": program_id,
        "count": len(ordered),
        "lines": admin_digest_lines(ordered),
    }
    for flag in AdminFlag:
        ids = tuple(e.subject_id for e in ordered if e.flag is flag)
        if ids:
            payload[f"{flag}_ids"] = ids
    due = require_utc(due_at, "due_at")
    items = tuple(
        PlannedNotification(
            recipient_id=admin,
            type=NotificationType.ADMIN_DIGEST,
            subject_id=program_id,
            due_at=due,
            payload=payload,
        )
        for admin in dict.fromkeys(admin_ids)
    )
    return Plan(items)


def admin_digest_lines(entries: Iterable[AdminDigestEntry]) -> tuple[str, ...]:
    """Display lines for `RenderContext.digest_lines` (ids and dates, no personal data)."""
    labels = {
        AdminFlag.FLAGGED_MATCH: "Flagged match",
        AdminFlag.AT_RISK_RELATIONSHIP: "Relationship at risk",
        AdminFlag.STALLED_RELATIONSHIP: "Stalled relationship",
    }
    return tuple(
        f"{labels[e.flag]} {e.subject_id} (since {iso_seconds(e.since)[:10]})"
        for e in _ordered(entries)
    )
