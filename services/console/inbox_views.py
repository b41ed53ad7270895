"""What the inbox and preferences page sends: the person's preferences, changed by
the form, whole (the notifications API replaces them whole). Plain Python, no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from services.console.views import FormError

CHANNELS = ("inbox", "email", "slack", "teams", "webhook")
#: What a person may opt out of here; the rest (match decisions, meeting changes) is
#: mandatory or set per program by its admins.
OPTIONAL_NOTICES = (
    "journal_prompt",
    "daily_digest",
    "feedback_request",
    "meeting_reminder",
    "action_item_overdue",
)
#: The fields the form shows; the rest of the stored preferences is kept as it is.
KEPT = (
    "channels",
    "webhook_url",
    "slack_webhook_url",
    "teams_webhook_url",
)
TIME_OF_DAY = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _time_of_day(form: Mapping[str, str], name: str, what: str) -> str | None:
    value = form.get(name, "").strip()
    if value and not TIME_OF_DAY.match(value):
        raise FormError(f"{what}: a time as HH:MM, e.g. 22:00")
    return value or None


def preferences_payload(form: Mapping[str, str], current: Mapping[str, Any]) -> dict[str, Any]:
    """``PUT /people/{id}/preferences``: the form's channels, opt-outs, quiet hours,
    digest time and zone over what is stored (webhook addresses and per-type channels
    stay as they were)."""
    channels = [c for c in CHANNELS if form.get(f"channel_{c}")]
    if not channels:
        raise FormError("Channels: pick at least one (your inbox is always available)")
    start = _time_of_day(form, "quiet_start", "Quiet hours start")
    end = _time_of_day(form, "quiet_end", "Quiet hours end")
    if bool(start) != bool(end):
        raise FormError("Quiet hours: give both a start and an end, or neither")
    if start and start == end:
        raise FormError("Quiet hours: the start and the end must differ")
    kept = {key: current[key] for key in KEPT if current.get(key) is not None}
    return {
        **kept,
        "time_zone": form.get("time_zone", "").strip() or current.get("time_zone", "UTC"),
        "default_channels": channels,
        "opted_out": [n for n in OPTIONAL_NOTICES if form.get(f"opt_out_{n}")],
        "quiet_hours": {"start": start, "end": end} if start and end else None,
        "daily_digest_at": _time_of_day(form, "daily_digest_at", "Daily digest at"),
    }
