"""Identifiers that more than one service derives from the same fact. Each is built
here once, so the services agree without asking each other."""

from __future__ import annotations

__all__ = ["CALENDAR_DOMAIN", "match_id_of", "meeting_uid", "relationship_id_for", "series_uid"]

#: The right-hand side of every calendar UID we issue (RFC 5545 wants it globally unique).
CALENDAR_DOMAIN = "mentoring.invalid"


def relationship_id_for(match_id: str) -> str:
    """Sessions names the relationship of an activated match ``rel-<match id>``: the
    same match always names the same relationship, in every service."""
    return f"rel-{match_id}"


def match_id_of(relationship_id: str) -> str | None:
    """The match a relationship came from (``relationship_id_for`` read backwards), or
    None for an id not of that shape."""
    prefix = "rel-"
    return relationship_id[len(prefix) :] if relationship_id.startswith(prefix) else None


def meeting_uid(meeting_id: str, domain: str = CALENDAR_DOMAIN) -> str:
    """The iCalendar UID of a meeting: the .ics from sessions and the invitation from
    the notifier carry the same one, so a calendar shows the meeting once."""
    return f"meeting-{meeting_id}@{domain}"


def series_uid(series_id: str, domain: str = CALENDAR_DOMAIN) -> str:
    """The iCalendar UID of a recurring series (occurrences add a RECURRENCE-ID)."""
    return f"series-{series_id}@{domain}"
