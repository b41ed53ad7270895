"""Action items (commitments with an owner and a due date), and detecting items that
just became overdue.

An action item is due at the end of its due date in its owner's time zone. The
overdue scan announces each item once: it sets `overdue_announced` and the caller
stores that together with the `action_item.overdue` event (outbox).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from shared.local_time import require_utc, start_of_next_day, zone

from .errors import IllegalTransition, InvalidInput
from .events import DomainEvent, EventType, Outcome, relationship_event
from .goals import bounded_text
from .relationships import Relationship

__all__ = [
    "ActionItemStatus",
    "ActionItem",
    "create_action_item",
    "complete_action_item",
    "drop_action_item",
    "is_overdue",
    "announce_newly_overdue",
]


class ActionItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True)
class ActionItem:
    id: str
    relationship_id: str
    owner_id: str
    description: str
    due_on: date
    time_zone: str  # the owner's zone: the item is due at the end of `due_on` there
    created_at: datetime
    meeting_id: str | None = None
    goal_id: str | None = None
    status: ActionItemStatus = ActionItemStatus.OPEN
    completed_at: datetime | None = None
    overdue_announced: bool = False

    @property
    def due_at(self) -> datetime:
        """The UTC instant the item becomes overdue."""
        return start_of_next_day(self.due_on, zone(self.time_zone))


def create_action_item(
    relationship: Relationship,
    *,
    item_id: str,
    owner_id: str,
    description: str,
    due_on: date,
    now: datetime,
    meeting_id: str | None = None,
    goal_id: str | None = None,
) -> Outcome[ActionItem]:
    """Record a commitment; due at the end of `due_on` in the owner's time zone."""
    now = require_utc(now, "now")
    owner = relationship.member(owner_id)
    item = ActionItem(
        id=item_id,
        relationship_id=relationship.id,
        owner_id=owner_id,
        description=bounded_text(description, "action item"),
        due_on=due_on,
        time_zone=owner.time_zone,
        created_at=now,
        meeting_id=meeting_id,
        goal_id=goal_id,
    )
    if item.due_at <= now:
        raise InvalidInput("an action item must be due today or later")
    event = _item_event(EventType.ACTION_ITEM_CREATED, item, relationship.program_id, now)
    return Outcome(item, (event,))


def _close_item(
    item: ActionItem, status: ActionItemStatus, program_id: str, now: datetime
) -> Outcome[ActionItem]:
    now = require_utc(now, "now")
    if item.status is not ActionItemStatus.OPEN:
        raise IllegalTransition(f"this action item is already {item.status}")
    new = replace(item, status=status, completed_at=now)
    type_ = (
        EventType.ACTION_ITEM_COMPLETED
        if status is ActionItemStatus.DONE
        else EventType.ACTION_ITEM_DROPPED
    )
    return Outcome(new, (_item_event(type_, new, program_id, now),))


def complete_action_item(
    item: ActionItem, *, program_id: str, now: datetime
) -> Outcome[ActionItem]:
    """Mark an open action item done (late completion still counts as done)."""
    return _close_item(item, ActionItemStatus.DONE, program_id, now)


def drop_action_item(item: ActionItem, *, program_id: str, now: datetime) -> Outcome[ActionItem]:
    """Drop an open action item."""
    return _close_item(item, ActionItemStatus.DROPPED, program_id, now)


def is_overdue(item: ActionItem, now: datetime) -> bool:
    """Open and past the end of its due date in the owner's zone."""
    return item.status is ActionItemStatus.OPEN and require_utc(now, "now") >= item.due_at


def announce_newly_overdue(
    items: Sequence[ActionItem], *, program_id: str, now: datetime
) -> Outcome[tuple[ActionItem, ...]]:
    """Items that became overdue and were not yet announced, marked as announced.

    Returns only the changed items, with one `action_item.overdue` event each;
    running it again with the stored result announces nothing new.
    """
    now = require_utc(now, "now")
    changed: list[ActionItem] = []
    events: list[DomainEvent] = []
    for item in items:
        if is_overdue(item, now) and not item.overdue_announced:
            new = replace(item, overdue_announced=True)
            changed.append(new)
            events.append(_item_event(EventType.ACTION_ITEM_OVERDUE, new, program_id, now))
    return Outcome(tuple(changed), tuple(events))


def _item_event(type_: str, item: ActionItem, program_id: str, now: datetime) -> DomainEvent:
    belongs_to = {"owner_id": item.owner_id, "meeting_id": item.meeting_id, "goal_id": item.goal_id}
    due = {"due_on": item.due_on.isoformat(), "due_at": item.due_at.isoformat()}
    data = {"action_item_id": item.id, **belongs_to, "status": str(item.status), **due}
    return relationship_event(type_, item.relationship_id, program_id, now, **data)
