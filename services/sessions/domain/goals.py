"""Goals of a relationship: of one member (personal) or of the whole relationship."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from shared.local_time import require_utc

from .errors import IllegalTransition, InvalidInput
from .events import DomainEvent, EventType, Outcome, relationship_event
from .relationships import Relationship

__all__ = ["GoalStatus", "Goal", "set_goal", "achieve_goal", "drop_goal", "bounded_text"]


class GoalStatus(StrEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Goal:
    """A goal of one member (`owner_id`) or of the whole relationship (`owner_id=None`)."""

    id: str
    relationship_id: str
    owner_id: str | None
    title: str
    created_at: datetime
    status: GoalStatus = GoalStatus.OPEN
    closed_at: datetime | None = None


def bounded_text(value: str, what: str) -> str:
    value = value.strip()
    if not value or len(value) > 1_000:
        raise InvalidInput(f"the {what} must be 1 to 1000 characters")
    return value


def set_goal(
    relationship: Relationship, *, goal_id: str, owner_id: str | None, title: str, now: datetime
) -> Outcome[Goal]:
    """Set a personal goal (`owner_id`) or a shared goal of the relationship (None)."""
    now = require_utc(now, "now")
    if owner_id is not None:
        relationship.member(owner_id)
    goal = Goal(goal_id, relationship.id, owner_id, bounded_text(title, "goal title"), now)
    return Outcome(goal, (_goal_event(EventType.GOAL_SET, goal, relationship.program_id, now),))


def _close_goal(goal: Goal, status: GoalStatus, program_id: str, now: datetime) -> Outcome[Goal]:
    now = require_utc(now, "now")
    if goal.status is not GoalStatus.OPEN:
        raise IllegalTransition(f"this goal is already {goal.status}")
    new = replace(goal, status=status, closed_at=now)
    type_ = EventType.GOAL_ACHIEVED if status is GoalStatus.ACHIEVED else EventType.GOAL_DROPPED
    return Outcome(new, (_goal_event(type_, new, program_id, now),))


def achieve_goal(goal: Goal, *, program_id: str, now: datetime) -> Outcome[Goal]:
    """Mark an open goal as achieved."""
    return _close_goal(goal, GoalStatus.ACHIEVED, program_id, now)


def drop_goal(goal: Goal, *, program_id: str, now: datetime) -> Outcome[Goal]:
    """Drop an open goal."""
    return _close_goal(goal, GoalStatus.DROPPED, program_id, now)


def _goal_event(type_: str, goal: Goal, program_id: str, now: datetime) -> DomainEvent:
    return relationship_event(
        type_,
        goal.relationship_id,
        program_id,
        now,
        goal_id=goal.id,
        owner_id=goal.owner_id,
        status=str(goal.status),
    )
