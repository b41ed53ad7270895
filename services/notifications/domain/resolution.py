"""Resolution: turn one planned notification plus a person's preferences into a decision.

Rules, in order (`earliest` is the later of the due time and `now`):

1. A passed deadline suppresses with the planner's reason (`meeting_started` for a
   reminder, `meeting_over` for a meeting notice, `match_expired`, `expired`).
2. An opted-out type is suppressed (`opted_out`) unless it is mandatory.
3. No channel chosen for the type: suppressed (`no_channel`), or for a mandatory type
   delivered over `MANDATORY_FALLBACK_CHANNELS`.
4. With a daily digest configured, non-urgent, non-mandatory items go to the digest at
   the person's next digest time, if that is before their deadline. The digest time is
   the person's own choice and is not moved by quiet hours; the digest message itself
   is resolved like any other notification.
5. Inside quiet hours the item moves to the end of the quiet period. If that would be
   at or after its deadline (a 05:30 reminder for a 06:30 meeting with quiet hours
   until 07:00): a mandatory item is delivered at its original time
   (`quiet_hours_overridden`), any other item is suppressed (`quiet_hours_too_late`).
   Rationale: a late reminder is worse than none, and mandatory messages must arrive.
6. Otherwise deliver at `earliest`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from shared.local_time import next_local_time, require_utc

from .model import Channel, NotificationType, PlannedNotification, SuppressionReason
from .policy import URGENT_TYPES
from .preferences import MANDATORY_FALLBACK_CHANNELS, Preferences

__all__ = ["Deliver", "Suppress", "AddToDigest", "DeliveryDecision", "resolve_delivery"]


@dataclass(frozen=True)
class Deliver:
    """Send at `at` (UTC) over `channels`."""

    at: datetime
    channels: tuple[Channel, ...]
    moved_by_quiet_hours: bool = False
    quiet_hours_overridden: bool = False


@dataclass(frozen=True)
class Suppress:
    """Do not send; `reason` is recorded for audit and metrics."""

    reason: SuppressionReason


@dataclass(frozen=True)
class AddToDigest:
    """Hold the item for the person's daily digest sent at `digest_at` (UTC)."""

    digest_at: datetime


DeliveryDecision = Deliver | Suppress | AddToDigest


def resolve_delivery(
    planned: PlannedNotification,
    preferences: Preferences,
    *,
    now: datetime,
    urgent_types: Collection[NotificationType] = URGENT_TYPES,
) -> DeliveryDecision:
    """Decide when and where `planned` is delivered, or why it is not."""
    now = require_utc(now, "now")
    earliest = max(planned.due_at, now)
    deadline = planned.deadline
    if deadline is not None and earliest >= deadline:
        return Suppress(planned.deadline_reason)
    if preferences.has_opted_out(planned.type) and not planned.mandatory:
        return Suppress(SuppressionReason.OPTED_OUT)
    channels = preferences.channels_for(planned.type)
    if not channels:
        if not planned.mandatory:
            return Suppress(SuppressionReason.NO_CHANNEL)
        channels = MANDATORY_FALLBACK_CHANNELS

    tz = preferences.tz
    digest_time = preferences.daily_digest_at
    if digest_time is not None and planned.type not in urgent_types and not planned.mandatory:
        digest_at = next_local_time(digest_time, tz, earliest)
        if deadline is None or digest_at < deadline:
            return AddToDigest(digest_at)

    quiet = preferences.quiet_hours
    if quiet is not None and quiet.contains(earliest, tz):
        end = quiet.period_end(earliest, tz)
        if deadline is None or end < deadline:
            return Deliver(end, channels, moved_by_quiet_hours=True)
        if planned.mandatory:
            return Deliver(earliest, channels, quiet_hours_overridden=True)
        return Suppress(SuppressionReason.QUIET_HOURS_TOO_LATE)
    return Deliver(earliest, channels)
