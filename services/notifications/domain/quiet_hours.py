"""Quiet hours: a daily local wall-clock window during which nothing is delivered.

The window is `[start, end)` in the person's IANA zone and wraps midnight when
`start > end` (22:00-07:00). Membership is decided on the local wall time of the
instant, and the end of a period is computed as a local wall time converted back to
UTC, so a period spanning a DST change is 1 h shorter or longer in real time, as the
person experiences it. If the end wall time does not exist that night (spring-forward
gap) the period ends right after the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.errors import InvalidInput
from shared.local_time import local_to_utc, require_utc

__all__ = ["QuietHours"]


@dataclass(frozen=True)
class QuietHours:
    """A daily quiet window in local wall-clock time, e.g. 22:00-07:00."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InvalidInput("quiet hours are local wall-clock times without tzinfo")
        if self.start == self.end:
            raise InvalidInput("quiet hours must not start and end at the same time")

    @property
    def wraps_midnight(self) -> bool:
        """True for windows such as 22:00-07:00."""
        return self.start > self.end

    def contains_wall_time(self, wall: time) -> bool:
        """True when the local wall time falls inside the window (end exclusive)."""
        if self.wraps_midnight:
            return wall >= self.start or wall < self.end
        return self.start <= wall < self.end

    def contains(self, instant: datetime, tz: ZoneInfo) -> bool:
        """True when `instant` falls inside quiet hours in `tz`."""
        local = require_utc(instant, "instant").astimezone(tz)
        return self.contains_wall_time(local.time().replace(tzinfo=None))

    def period_end(self, instant: datetime, tz: ZoneInfo) -> datetime:
        """The UTC instant the quiet period containing `instant` ends.

        Returns `instant` itself when it is not inside quiet hours.
        """
        utc = require_utc(instant, "instant")
        local = utc.astimezone(tz)
        wall = local.time().replace(tzinfo=None)
        if not self.contains_wall_time(wall):
            return utc
        end_day = local.date()
        if self.wraps_midnight and wall >= self.start:
            end_day += timedelta(days=1)
        end = local_to_utc(end_day, self.end, tz)
        if end < utc:
            # The window ends inside an autumn repeated hour and the instant is in its
            # second pass: the period ends at the second occurrence of the end time.
            end = datetime.combine(end_day, self.end, tzinfo=tz).replace(fold=1)
            end = end.astimezone(UTC)
        return max(end, utc)
