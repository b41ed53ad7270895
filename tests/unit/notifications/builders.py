"""Builders for the notification domain specifications. Times are fixed, never the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.notifications.domain.facts import (
    MeetingCancelled,
    MeetingRescheduled,
    MeetingScheduled,
)
from services.notifications.domain.model import NotificationType, Plan, PlannedNotification

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
START = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
MEMBERS = ("mentor-1", "mentee-1")


def scheduled(
    starts_at: datetime = START,
    ends_at: datetime | None = None,
    *,
    occurred_at: datetime = NOW,
    sequence: int = 0,
) -> MeetingScheduled:
    return MeetingScheduled(
        meeting_id="meeting-1",
        relationship_id="rel-1",
        member_ids=MEMBERS,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + timedelta(hours=1),
        sequence=sequence,
        occurred_at=occurred_at,
    )


def rescheduled(
    starts_at: datetime, *, occurred_at: datetime = NOW, sequence: int = 1
) -> MeetingRescheduled:
    return MeetingRescheduled(
        meeting_id="meeting-1",
        relationship_id="rel-1",
        member_ids=MEMBERS,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        sequence=sequence,
        occurred_at=occurred_at,
        previous_starts_at=START,
    )


def cancelled(*, occurred_at: datetime = NOW, sequence: int = 1) -> MeetingCancelled:
    return MeetingCancelled(
        meeting_id="meeting-1",
        relationship_id="rel-1",
        member_ids=MEMBERS,
        starts_at=START,
        ends_at=END,
        sequence=sequence,
        occurred_at=occurred_at,
        cancelled_by="mentor-1",
    )


def of_type(
    plan: Plan, type_: NotificationType, recipient: str | None = None
) -> list[PlannedNotification]:
    return [
        n
        for n in plan.notifications
        if n.type is type_ and (recipient is None or n.recipient_id == recipient)
    ]


def planned(
    type_: NotificationType = NotificationType.MEETING_REMINDER,
    *,
    due_at: datetime = NOW,
    deadline: datetime | None = None,
    mandatory: bool = False,
    recipient: str = "mentee-1",
) -> PlannedNotification:
    return PlannedNotification(
        recipient_id=recipient,
        type=type_,
        subject_id="subject-1",
        due_at=due_at,
        mandatory=mandatory,
        deadline=deadline,
    )
