"""What an employee's pages show and send: slot queries, slot labels in the person's
own zone, meetings, journal entries and feedback. Plain Python, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.console.views import FormError, label

JOURNAL_KINDS = ("small_win", "learning", "setback")
DURATIONS = (30, 45, 60)
#: How far ahead the slot picker looks, at most.
MAX_DAYS_AHEAD = 14


def my_zone(relationship: Mapping[str, Any], person_id: str) -> str:
    """The person's own zone, as HR gave it to the sessions service."""
    for member in relationship.get("members", []):
        if member["person_id"] == person_id:
            return str(member.get("time_zone") or "UTC")
    return "UTC"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def slot_label(starts_at: str, ends_at: str, zone: str) -> str:
    """``Tue 2 Dec, 10:00–10:45 (Europe/London)``: a slot in the reader's own zone."""
    where = _zone(zone)
    start = datetime.fromisoformat(starts_at).astimezone(where)
    end = datetime.fromisoformat(ends_at).astimezone(where)
    return f"{start:%a} {start.day} {start:%b}, {start:%H:%M}–{end:%H:%M} ({zone})"


def slot_query(params: Mapping[str, str], today: date) -> dict[str, Any]:
    """``POST /relationships/{id}/slots`` from the picker: a first day (not before
    today), how many days to look at, and the meeting's length."""
    try:
        first = date.fromisoformat(params.get("first_day", "") or today.isoformat())
        days = int(params.get("days", "7") or 7)
        duration = int(params.get("duration_minutes", "45") or 45)
    except ValueError:
        raise FormError("First day, days and duration: enter a date and whole numbers") from None
    if first < today:
        raise FormError("First day: today or later")
    if not 1 <= days <= MAX_DAYS_AHEAD:
        raise FormError(f"Days: between 1 and {MAX_DAYS_AHEAD}")
    if duration not in DURATIONS:
        raise FormError(f"Duration: one of {', '.join(map(str, DURATIONS))} minutes")
    return {
        "first_day": first.isoformat(),
        "last_day": (first + timedelta(days=days - 1)).isoformat(),
        "duration_minutes": duration,
        "count": 6,
    }


def meeting_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """``POST /relationships/{id}/meetings`` for the slot the person picked."""
    slot = form.get("slot", "")
    if not slot:
        raise FormError("Choose a time")
    try:
        datetime.fromisoformat(slot)
        duration = int(form.get("duration_minutes", ""))
    except ValueError:
        raise FormError("Choose one of the times offered") from None
    return {"starts_at": slot, "duration_minutes": duration}


def journal_payload(form: Mapping[str, str]) -> dict[str, Any]:
    text = form.get("text", "").strip()
    if not text:
        raise FormError("Entry: write a few words")
    if form.get("kind") not in JOURNAL_KINDS:
        raise FormError(f"Kind: one of {', '.join(label(k) for k in JOURNAL_KINDS)}")
    if not form.get("relationship_id"):
        raise FormError("Relationship: choose one")
    return {
        "relationship_id": form["relationship_id"],
        "kind": form["kind"],
        "text": text,
        "shared": form.get("shared") == "on",
    }


def feedback_payload(form: Mapping[str, str]) -> dict[str, Any]:
    try:
        rating = int(form.get("rating", ""))
    except ValueError:
        raise FormError("Rating: choose 1 to 5") from None
    if not 1 <= rating <= 5:
        raise FormError("Rating: choose 1 to 5")
    return {
        "rating": rating,
        "was_useful": form.get("was_useful") == "on",
        "comment": form.get("comment", "").strip(),
    }


GOALS_MET = ("yes", "partly", "no")


def survey_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """``POST /relationships/{id}/survey``: the closing survey of an ended relationship."""
    scores = {}
    for name in ("overall", "partner_helpfulness"):
        try:
            scores[name] = int(form.get(name, ""))
        except ValueError:
            raise FormError(f"{label(name)}: choose 1 to 5") from None
        if not 1 <= scores[name] <= 5:
            raise FormError(f"{label(name)}: choose 1 to 5")
    if form.get("goals_met") not in GOALS_MET:
        raise FormError("Goals met: yes, partly or no")
    return {
        **scores,
        "goals_met": form["goals_met"],
        "would_recommend": form.get("would_recommend") == "on",
        "would_continue": form.get("would_continue") == "on",
        "private_note": form.get("private_note", "").strip(),
    }


def partners(relationship: Mapping[str, Any], person_id: str) -> list[str]:
    return [m["person_id"] for m in relationship.get("members", []) if m["person_id"] != person_id]
