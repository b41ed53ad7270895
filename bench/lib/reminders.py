"""The fan-out's reminders: the ``i``-th of a burst all due within one minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.notifications.domain.model import (
    NotificationType,
    PlannedNotification,
    SuppressionReason,
)

#: The minute the reminders fall due in.
MINUTE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
#: Reminders per person (a person's preferences are read once per pass).
PEOPLE_PER_REMINDERS = 10


def reminder(i: int, people: int) -> PlannedNotification:
    """The ``i``-th meeting reminder, due within the bench's minute."""
    return PlannedNotification(
        recipient_id=f"person-{i % people}",
        type=NotificationType.MEETING_REMINDER,
        subject_id=f"meeting-{i}",
        due_at=MINUTE + timedelta(seconds=i % 60, milliseconds=(i * 7) % 1000),
        deadline=MINUTE + timedelta(hours=2),
        deadline_reason=SuppressionReason.MEETING_STARTED,
        payload={
            "meeting_id": f"meeting-{i}",
            "relationship_id": f"rel-{i}",
            "starts_at": (MINUTE + timedelta(hours=2)).isoformat(),
            "ends_at": (MINUTE + timedelta(hours=3)).isoformat(),
            "sequence": 0,
            "offset_minutes": 60,
        },
    )
