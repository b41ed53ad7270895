"""A person's notification preferences: channels, opt-outs, quiet hours and digest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo

from shared.errors import InvalidInput
from shared.local_time import zone

from .model import Channel, NotificationType
from .quiet_hours import QuietHours

__all__ = ["Preferences", "DEFAULT_CHANNELS", "MANDATORY_FALLBACK_CHANNELS", "ALWAYS_IN_INBOX"]

DEFAULT_CHANNELS: tuple[Channel, ...] = (Channel.EMAIL, Channel.INBOX)
# Used for a mandatory notification when the person chose no channel for its type.
MANDATORY_FALLBACK_CHANNELS: tuple[Channel, ...] = (Channel.EMAIL, Channel.INBOX)
# Types that always reach the in-app inbox besides the channels the person chose for them
# (unless they opted out): the closing survey and the pulse check are answered from
# there, and an admin's safety alerts wait there until read.
ALWAYS_IN_INBOX: frozenset[NotificationType] = frozenset(
    {
        NotificationType.CLOSING_SURVEY_REQUEST,
        NotificationType.PULSE_CHECK_REQUEST,
        NotificationType.CONCERN_REPORTED,
        NotificationType.PULSE_FLAGGED,
    }
)


@dataclass(frozen=True)
class Preferences:
    """What one person asked for.

    `channels` overrides `default_channels` per notification type; an empty tuple
    means "nowhere" (treated like an opt-out unless the type is mandatory).
    `daily_digest_at` (local time), when set, batches non-urgent items into one message.
    """

    person_id: str
    time_zone: str = "UTC"
    default_channels: tuple[Channel, ...] = DEFAULT_CHANNELS
    channels: Mapping[NotificationType, tuple[Channel, ...]] = field(
        default_factory=dict, hash=False
    )
    opted_out: frozenset[NotificationType] = frozenset()
    quiet_hours: QuietHours | None = None
    daily_digest_at: time | None = None

    def __post_init__(self) -> None:
        zone(self.time_zone)  # validates the name early
        if self.daily_digest_at is not None and self.daily_digest_at.tzinfo is not None:
            raise InvalidInput("daily_digest_at is a local wall-clock time without tzinfo")

    @property
    def tz(self) -> ZoneInfo:
        """The person's time zone."""
        return zone(self.time_zone)

    def channels_for(self, type_: NotificationType) -> tuple[Channel, ...]:
        """The channels chosen for `type_`, de-duplicated, in preference order (the inbox
        last if the person left it out for a type that is ``ALWAYS_IN_INBOX``)."""
        chosen = tuple(self.channels.get(type_, self.default_channels))
        if type_ in ALWAYS_IN_INBOX:
            chosen += (Channel.INBOX,)
        return tuple(dict.fromkeys(chosen))

    def has_opted_out(self, type_: NotificationType) -> bool:
        """True when the person opted out of `type_` (mandatory types override this)."""
        return type_ in self.opted_out
