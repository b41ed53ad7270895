"""Weekly schedules: the journal prompt and the program-admin digest.

The adapter keeps, per schedule (a person's journal, an admin's digest of one
program), the instant of its next slot, and calls `weekly_step` once that instant has
passed. The step says which slot to plan now and when to look again. A slot missed by
more than the grace (the worker was down over the weekend) is skipped, not sent late:
last week's "weekly reflection" on a Tuesday helps nobody. Slots are local wall-clock
times in the person's current zone, so they follow daylight-saving changes and moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from shared.errors import InvalidInput
from shared.local_time import next_weekly, require_utc, zone

__all__ = ["WeeklySlot", "ScheduleStep", "weekly_step"]

#: The next slot is looked for strictly after the one just handled.
_AFTER = timedelta(seconds=1)


@dataclass(frozen=True)
class WeeklySlot:
    """A local weekday (Monday = 0) and wall-clock time."""

    weekday: int
    at: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise InvalidInput("weekday must be 0 (Monday) to 6 (Sunday)")


@dataclass(frozen=True)
class ScheduleStep:
    """`send_at`: the slot to plan now (None: nothing to send); `next_at`: look again then."""

    send_at: datetime | None
    next_at: datetime


def weekly_step(
    slot: WeeklySlot,
    time_zone: str,
    *,
    due: datetime | None,
    now: datetime,
    grace: timedelta,
) -> ScheduleStep:
    """What a schedule whose stored slot is `due` does at `now`.

    `due` None is a new schedule: nothing is sent, the first slot is the next one. A
    `due` still in the future is left alone. A passed `due` within `grace` is sent; the
    next slot is the first one after both `due` and `now`.
    """
    now = require_utc(now, "now")
    if due is not None:
        due = require_utc(due, "due")
        if due > now:
            return ScheduleStep(send_at=None, next_at=due)
    send_at = due if due is not None and now - due <= grace else None
    after = max(now, due) if due is not None else now
    next_at = next_weekly(slot.weekday, slot.at, zone(time_zone), after + _AFTER)
    return ScheduleStep(send_at=send_at, next_at=next_at)
