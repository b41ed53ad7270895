"""A minimal iCalendar (RFC 5545) invitation or cancellation for a meeting notice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from icalendar import Calendar, Event

from services.notifications.domain.model import NotificationType, PlannedNotification
from shared.contracts.identifiers import meeting_uid

T = NotificationType
CALENDAR_TYPES = (T.MEETING_SCHEDULED, T.MEETING_RESCHEDULED, T.MEETING_CANCELLED)


def meeting_calendar(
    planned: PlannedNotification, *, organiser_email: str | None, now: datetime
) -> bytes | None:
    """The .ics for a meeting notice (None for other types); its UID is the one
    sessions' .ics carries (``shared.contracts.identifiers.meeting_uid``)."""
    if planned.type not in CALENDAR_TYPES:
        return None
    payload: Mapping[str, object] = planned.payload
    cancelled = planned.type is T.MEETING_CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//Mentoring Platform//Notifications//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(str(payload["meeting_id"])))
    event.add("sequence", int(str(payload.get("sequence", 0))))
    event.add("dtstamp", now)
    event.add("dtstart", datetime.fromisoformat(str(payload["starts_at"])))
    event.add("dtend", datetime.fromisoformat(str(payload["ends_at"])))
    event.add("summary", "Mentoring meeting")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if organiser_email:
        event.add("organizer", f"mailto:{organiser_email}")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
