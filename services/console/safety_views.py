"""What the check-ins and safety page sends: a pulse answer, a concern, a block.
Plain Python, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.console.views import FormError, label, text_in


def _rating(form: Mapping[str, str], name: str) -> int:
    try:
        value = int(form.get(name, ""))
    except ValueError:
        raise FormError(f"{label(name)}: choose 1 to 5") from None
    if not 1 <= value <= 5:
        raise FormError(f"{label(name)}: choose 1 to 5")
    return value


def pulse_answer_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """``POST /pulses/{id}/answer``: private to the person who answers."""
    if form.get("would_continue") not in ("yes", "no"):
        raise FormError("Would you continue: yes or no")
    return {
        "comfort": _rating(form, "comfort"),
        "psychological_safety": _rating(form, "psychological_safety"),
        "would_continue": form["would_continue"] == "yes",
        "note": form.get("note", "").strip(),
    }


def concern_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """``POST /programs/{id}/concerns``: the text, and whom or which match it is about."""
    body: dict[str, Any] = {"text": text_in(form, "text", required=True)}
    if form.get("about_person_id"):
        body["about_person_id"] = form["about_person_id"]
    if form.get("match_id"):
        body["match_id"] = form["match_id"]
    return body


def block_payload(form: Mapping[str, str]) -> dict[str, str]:
    return {"person_id": text_in(form, "person_id", required=True)}


def concern_program(form: Mapping[str, str], programs: Mapping[str, str]) -> str:
    """The program a concern goes to: one of the person's own (match id -> program id)."""
    match_id = form.get("match_id", "")
    if match_id not in programs:
        raise FormError("Which match: choose one of yours")
    return programs[match_id]
