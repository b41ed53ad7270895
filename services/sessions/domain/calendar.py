"""iCalendar (RFC 5545 / iTIP RFC 5546) invitations for meetings and series.

An update keeps the same UID with a higher SEQUENCE and METHOD:REQUEST; a
cancellation is METHOD:CANCEL with STATUS:CANCELLED. An occurrence of a series
shares the series UID and is told apart by RECURRENCE-ID (its original start).
Contact details are not domain data: the adapter passes them as `CalendarParty`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from icalendar import Calendar, Event, vCalAddress, vRecur

from shared.contracts.identifiers import CALENDAR_DOMAIN, meeting_uid, series_uid
from shared.local_time import local_to_utc, require_utc, zone

from .errors import IllegalTransition
from .meetings import Meeting, MeetingStatus
from .series import MeetingSeries, SeriesStatus

__all__ = [
    "CalendarParty",
    "Invitation",
    "meeting_uid",
    "series_uid",
    "meeting_to_ics",
    "series_to_ics",
]

PRODID = "-//mentoring-platform//sessions//EN"
DEFAULT_DOMAIN = CALENDAR_DOMAIN


@dataclass(frozen=True)
class CalendarParty:
    """An organiser or attendee address supplied by the adapter (never stored here)."""

    email: str
    name: str | None = None


def _address(party: CalendarParty, *, attendee: bool) -> vCalAddress:
    addr = vCalAddress(f"mailto:{party.email}")
    if party.name:
        addr.params["CN"] = party.name
    if attendee:
        addr.params["ROLE"] = "REQ-PARTICIPANT"
        addr.params["PARTSTAT"] = "NEEDS-ACTION"
        addr.params["RSVP"] = "TRUE"
    return addr


def _calendar(method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


@dataclass(frozen=True)
class Invitation:
    """How an invitation reads. Keep ``summary``/``description`` generic: invites travel
    by email and must not carry notes."""

    summary: str = "Mentoring session"
    organiser: CalendarParty | None = None
    attendees: Sequence[CalendarParty] = ()
    description: str | None = None
    uid_domain: str = DEFAULT_DOMAIN


def _event(uid: str, sequence: int, now: datetime, cancelled: bool, look: Invitation) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", require_utc(now, "now"))
    event.add("summary", look.summary)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if look.description:
        event.add("description", look.description)
    if look.organiser is not None:
        event.add("organizer", _address(look.organiser, attendee=False))
    for party in look.attendees:
        event.add("attendee", _address(party, attendee=True), encode=False)
    return event


def _ics(event: Event, *, cancelled: bool, first: datetime, last: datetime) -> bytes:
    """The calendar of one event, with the zone rules of its span."""
    cal = _calendar("CANCEL" if cancelled else "REQUEST")
    cal.add_component(event)
    _add_timezones(cal, first, last)
    ics: bytes = cal.to_ical()
    return ics


def meeting_to_ics(meeting: Meeting, *, now: datetime, look: Invitation = Invitation()) -> bytes:
    """Invitation (REQUEST) or cancellation (CANCEL) for one meeting, as .ics bytes.
    Completed and no-show meetings have no invitation."""
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED):
        raise IllegalTransition(f"a {meeting.status} meeting has no calendar invitation")
    cancelled = meeting.status is MeetingStatus.CANCELLED
    tz = zone(meeting.time_zone)
    recurrence_id = meeting.original_starts_at if meeting.series_id else None
    if meeting.series_id and recurrence_id is not None:
        uid = series_uid(meeting.series_id, look.uid_domain)
    else:
        uid = meeting_uid(meeting.id, look.uid_domain)
    event = _event(uid, meeting.sequence, now, cancelled, look)
    if recurrence_id is not None:
        event.add("recurrence-id", recurrence_id.astimezone(tz))
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    first = min(meeting.starts_at, recurrence_id or meeting.starts_at)
    return _ics(event, cancelled=cancelled, first=first, last=meeting.ends_at)


def series_to_ics(
    series: MeetingSeries, *, now: datetime, look: Invitation = Invitation()
) -> bytes:
    """A recurring invitation with RRULE (weekly, INTERVAL=N, UNTIL the last day).

    DTSTART carries the organiser's TZID so clients keep the local time across DST.
    """
    cancelled = series.status is SeriesStatus.CANCELLED
    tz = zone(series.time_zone)
    event = _event(series_uid(series.id, look.uid_domain), series.sequence, now, cancelled, look)
    start = series.first_starts_at.astimezone(tz)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=series.duration_minutes))
    until = local_to_utc(series.until + timedelta(days=1), time(0), tz)
    rule = vRecur(
        freq="WEEKLY",
        interval=series.interval_weeks,
        until=until.astimezone(UTC) - timedelta(seconds=1),
    )
    event.add("rrule", rule)
    return _ics(event, cancelled=cancelled, first=series.first_starts_at, last=until)


def _add_timezones(cal: Calendar, first: datetime, last: datetime) -> None:
    """Embed VTIMEZONE rules covering only the span the invitation needs."""
    cal.add_missing_timezones(
        first_date=first.date() - timedelta(days=366), last_date=last.date() + timedelta(days=366)
    )
