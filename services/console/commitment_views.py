"""What the goals and action items page sends. Plain Python, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.console.views import FormError, text_in


def goal_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """``POST /relationships/{id}/goals``: the relationship's goal, or mine alone."""
    return {
        "title": text_in(form, "title", required=True),
        "personal": form.get("personal") == "on",
    }


def action_item_payload(form: Mapping[str, str], *, today: date) -> dict[str, Any]:
    """``POST /relationships/{id}/action-items``: who does what by when (not in the
    past), optionally towards one of the relationship's goals."""
    try:
        due = date.fromisoformat(form.get("due_on", ""))
    except ValueError:
        raise FormError("Due on: choose a date") from None
    if due < today:
        raise FormError("Due on: today or later")
    body: dict[str, Any] = {
        "owner_id": text_in(form, "owner_id", required=True),
        "description": text_in(form, "description", required=True),
        "due_on": due.isoformat(),
    }
    if form.get("goal_id"):
        body["goal_id"] = form["goal_id"]
    return body
