"""What the flash mentoring page sends and shows: offered slots into an API body, a
booking's sentences, the viewer's sessions. Plain Python, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.console.views import FormError, number_in, text_in

#: How many start times the offer form has (the sessions API takes up to ten at once).
SLOT_FIELDS = 4
#: The sessions API's bounds for one slot's length.
MIN_MINUTES, MAX_MINUTES = 15, 120
PAGE_SIZE = 20
#: What the booking's refusals mean, said to the person who pressed Book.
BOOKING_REFUSALS = {
    409: "Someone else booked this slot first, or it is no longer open: choose another.",
    422: "You cannot book your own slot: withdraw it instead if you no longer offer it.",
}


def _zone(form: Mapping[str, str]) -> str:
    name = text_in(form, "time_zone", required=True)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FormError(f"Time zone: {name} is not a time zone (try Europe/Paris)") from None
    return name


def _start(raw: str, zone: str, field: int) -> str:
    """A ``datetime-local`` value read in the host's zone, sent with its offset."""
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        raise FormError(f"Start {field}: choose a date and time") from None
    if local.tzinfo is not None:
        raise FormError(f"Start {field}: a local time, without an offset")
    return local.replace(tzinfo=ZoneInfo(zone)).isoformat()


def offer_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """``POST /programs/{id}/offers``: one slot per start time filled in, each of the
    same length, in the zone the host names; at least one start."""
    zone = _zone(form)
    minutes = int(number_in(form, "minutes", low=MIN_MINUTES, high=MAX_MINUTES))
    starts = [
        _start(form[f"start_{n}"].strip(), zone, n)
        for n in range(1, SLOT_FIELDS + 1)
        if form.get(f"start_{n}", "").strip()
    ]
    if not starts:
        raise FormError("Start 1: choose when your slot starts")
    body: dict[str, Any] = {
        "topic": text_in(form, "topic", required=True),
        "time_zone": zone,
        "slots": [{"starts_at": s, "minutes": minutes} for s in starts],
    }
    if note := text_in(form, "note"):
        body["note"] = note
    return body


def offered(body: Mapping[str, Any]) -> str:
    count = len(body["slots"])
    return f"Offered {count} slot{'s' if count > 1 else ''} on {body['topic']}"


def booked_offer_id(relationship: Mapping[str, Any]) -> str:
    """The offer a flash relationship was booked on: the sessions service names the
    relationship ``flash-<booking id>`` and the booking ``<offer id>.<n>``."""
    booking = str(relationship["id"]).removeprefix("flash-")
    return booking.rpartition(".")[0] or booking


def my_flash_sessions(relationships: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The booked flash sessions still to come (a held or cancelled one has ended)."""
    return [r for r in relationships if r["kind"] == "flash" and r["status"] == "active"]


def when(offer: Mapping[str, Any]) -> tuple[str, str]:
    """(day, time) of the offer's start in the viewer's zone, as the API gives it."""
    start = datetime.fromisoformat(offer["viewer_starts_at"])
    return start.strftime("%a %d %b %Y"), start.strftime("%H:%M")


def zone_to_offer_in(offers: list[Mapping[str, Any]], relationship_zones: list[str]) -> str:
    """The zone the offer form starts with: the one the sessions service holds for the
    viewer (each listed offer carries it), else the viewer's zone in a relationship."""
    if offers:
        return str(offers[0]["viewer_time_zone"])
    return next((z for z in relationship_zones if z != "UTC"), "UTC")


def open_flash_programs(programs: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [p for p in programs if p["kind"] == "flash" and p["status"] == "open"]


def offers_query(params: Mapping[str, str], offset: int) -> dict[str, Any]:
    """The open offers' filters: a topic, a day (``YYYY-MM-DD`` in the viewer's zone)."""
    query: dict[str, Any] = {"limit": PAGE_SIZE, "offset": offset}
    if topic := params.get("topic", "").strip():
        query["topic"] = topic[:200]
    if day := params.get("on", "").strip():
        try:
            query["on"] = datetime.strptime(day, "%Y-%m-%d").date().isoformat()
        except ValueError:
            raise FormError("Day: choose a date") from None
    return query
