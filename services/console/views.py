"""What the pages show and send, in plain Python: forms into API bodies, API answers
into rows and bars. No I/O here, so each rule is tested on its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

WEIGHTS = ("skills", "goals", "cross_department", "diversity", "availability")
RULE_SWITCHES = (
    "require_different_department",
    "require_different_business_unit",
    "require_shared_language",
)
KINDS = ("reverse_mentoring", "peer_coaching", "peer_group", "flash")
MODES = ("curated", "automatic", "self_match")
#: When a program's published matches start (``matches_start``), as the form words it.
MATCH_STARTS = {
    "when_accepted": "When its members accept",
    "on_publish": "On publish: admins assign, nobody is asked",
}
MEMBER_ROLES = ("mentor", "mentee", "peer")


class FormError(ValueError):
    """A form field a person must correct; the message names it."""


def label(name: str) -> str:
    """``cross_department`` -> ``Cross department`` (``hr_analyst`` -> ``HR analyst``)."""
    text = name.replace("_", " ").capitalize()
    return "HR" + text[2:] if text.startswith("Hr ") else text


def number_in(form: Mapping[str, str], name: str, *, low: float, high: float) -> float:
    raw = form.get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise FormError(f"{label(name)}: enter a number") from None
    if not low <= value <= high:
        raise FormError(f"{label(name)}: between {low:g} and {high:g}")
    return value


def text_in(form: Mapping[str, str], name: str, *, required: bool = False) -> str:
    value = form.get(name, "").strip()
    if required and not value:
        raise FormError(f"{label(name)}: required")
    return value


def choice_in(
    form: Mapping[str, str], name: str, choices: tuple[str, ...], *, default: str = ""
) -> str:
    value = form.get(name, default)
    if value not in choices:
        raise FormError(f"{label(name)}: choose one of {', '.join(choices)}")
    return value


def list_in(form: Mapping[str, str], name: str) -> list[str]:
    return [part.strip() for part in form.get(name, "").split(",") if part.strip()]


def rules_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """The weights and rules the program form edits (unchecked boxes are ``False``)."""
    rules: dict[str, Any] = {
        "weights": {w: number_in(form, f"weight_{w}", low=0, high=100) for w in WEIGHTS},
        "min_overlap_hours": number_in(form, "min_overlap_hours", low=0, high=12),
    }
    rules.update({switch: form.get(switch) == "on" for switch in RULE_SWITCHES})
    return rules


def program_create_payload(form: Mapping[str, str], admin_id: str) -> dict[str, Any]:
    """``POST /programs``; the signed-in admin administers what they create."""
    return {
        "name": text_in(form, "name", required=True),
        "kind": choice_in(form, "kind", KINDS),
        "matching_mode": choice_in(form, "matching_mode", MODES),
        "matches_start": choice_in(
            form, "matches_start", tuple(MATCH_STARTS), default="when_accepted"
        ),
        "description": text_in(form, "description"),
        "cadence_days": int(number_in(form, "cadence_days", low=1, high=365)),
        "admin_ids": [admin_id],
        "rules": rules_payload(form),
    }


def program_update_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """``PATCH /programs/{id}``: name, description, weights and rules."""
    return {
        "name": text_in(form, "name", required=True),
        "description": text_in(form, "description"),
        "rules": rules_payload(form),
    }


def enrollment_payload(form: Mapping[str, str]) -> dict[str, Any]:
    start = number_in(form, "work_start_hour", low=0, high=24)
    end = number_in(form, "work_end_hour", low=0, high=24)
    if end <= start:
        raise FormError("Work end hour: after the start hour")
    return {
        "person_id": text_in(form, "person_id", required=True),
        "role": choice_in(form, "role", MEMBER_ROLES),
        "skills_wanted": list_in(form, "skills_wanted"),
        "goals": list_in(form, "goals"),
        "capacity": int(number_in(form, "capacity", low=1, high=50)),
        "work_start_hour": start,
        "work_end_hour": end,
    }


def pair_payload(form: Mapping[str, str]) -> dict[str, str]:
    """One lock or forbid: the two person ids of a pair."""
    return {
        "first": text_in(form, "first", required=True),
        "second": text_in(form, "second", required=True),
    }


@dataclass(frozen=True)
class Bar:
    """One criterion's share of a pair's score, drawn as a bar of ``percent`` width."""

    criterion: str
    value: float
    weight: float
    raw: float
    percent: float


def contribution_bars(explanation: Mapping[str, Any]) -> list[Bar]:
    """Each criterion's contribution, largest first; widths relative to the largest
    (so the strongest reason fills its row and the rest compare to it)."""
    contributions = explanation.get("contributions", {})
    largest = max((abs(c["value"]) for c in contributions.values()), default=0.0)
    bars = [
        Bar(
            criterion=label(name),
            value=c["value"],
            weight=c["weight"],
            raw=c["raw"],
            percent=round(100 * abs(c["value"]) / largest, 1) if largest else 0.0,
        )
        for name, c in contributions.items()
    ]
    return sorted(bars, key=lambda bar: -abs(bar.value))


def member_ids(match_or_proposal: Mapping[str, Any]) -> list[str]:
    return [m["person_id"] for m in match_or_proposal["members"]]


def pairs_of(members: list[str]) -> list[tuple[str, str]]:
    """The pairs a proposal's members form (a pair is one; a group, each two of them)."""
    return [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]


def my_answer(match: Mapping[str, Any], person_id: str) -> str:
    """``accepted`` / ``declined`` / ``waiting`` for this person on this match."""
    answer = match.get("responses", {}).get(person_id, "pending")
    return "waiting" if answer == "pending" else str(answer)


def may_answer(match: Mapping[str, Any], person_id: str) -> bool:
    return match.get("state") == "proposed" and my_answer(match, person_id) == "waiting"


def eligibility_sentence(found: Mapping[str, Any]) -> str:
    """The matcher's eligibility preview, in words: the total, then each side."""
    about = "about " if found["estimated"] else ""
    sides = found["sides"]
    total = f"{about}{found['eligible']} of {found['enrolled']} enrolled people"
    sentence = f"Under these rules {total} have at least one eligible partner"
    if len(sides) > 1:
        parts = ", ".join(
            f"{label(s['role']).lower()}s {s['eligible']} of {s['enrolled']}" for s in sides
        )
        sentence += f" ({parts})"
    return sentence + "."
