"""Safety alerts for a program's admins: a participant reported a concern, or a pulse
check fell below the comfort line.

Every admin of the program gets one notice per alert (key: admin, type, subject, the
instant of the fact: a replay is the same item). It is mandatory, never batched into a
digest, and always reaches the in-app inbox besides the admin's usual channels. It names
the program and links the concern or the relationship, and carries nothing else: no
text, no answer, not who reported (the admin reads the rest where access is checked).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ._rules import Rules
from .model import NotificationType, PayloadValue, Plan
from .policy import PlanningPolicy
from .render_context import RenderContext, Template, letter

__all__ = ["SAFETY_TEMPLATES", "SAFETY_TYPES", "SafetyAlert", "plan_safety_alert"]

T = NotificationType

SAFETY_TYPES: frozenset[NotificationType] = frozenset({T.CONCERN_REPORTED, T.PULSE_FLAGGED})
#: What each alert links, by its type: the payload key of its subject.
_SUBJECT_KEYS = {T.CONCERN_REPORTED: "concern_id", T.PULSE_FLAGGED: "relationship_id"}


@dataclass(frozen=True)
class SafetyAlert:
    """A concern (``subject_id``: the concern) or a low pulse (the relationship)."""

    type: NotificationType
    subject_id: str
    program_id: str
    occurred_at: datetime

    def __post_init__(self) -> None:
        if self.type not in SAFETY_TYPES:
            raise ValueError(f"{self.type} is not a safety alert")


def plan_safety_alert(
    alert: SafetyAlert, admin_ids: Iterable[str], *, now: datetime, policy: PlanningPolicy
) -> Plan:
    """One notice per admin of the program, due when the fact happened (none for a stale
    replay, as for every immediate notice)."""
    rules = Rules(policy, now)
    if not rules.notice_allowed(alert.occurred_at, None):
        return Plan()
    payload: dict[str, PayloadValue] = {
        "program_id": alert.program_id,
        _SUBJECT_KEYS[alert.type]: alert.subject_id,
    }
    return Plan(
        tuple(
            rules.item(admin, alert.type, alert.subject_id, alert.occurred_at, payload)
            for admin in dict.fromkeys(admin_ids)
        )
    )


def _program(c: RenderContext) -> str:
    return f"program {c.program_id}" if c.program_id else c.program_name


def _concern(c: RenderContext) -> tuple[str, str, str]:
    return (
        f"A concern was reported in {_program(c)}",
        letter(
            c,
            f"A participant in {_program(c)} reported a concern to its admins.",
            "Open it from the link: this message carries none of its content.",
        ),
        "Read the concern",
    )


def _pulse(c: RenderContext) -> tuple[str, str, str]:
    return (
        f"A relationship in {_program(c)} needs a look",
        letter(
            c,
            f"A pulse check in {_program(c)} fell below the comfort line.",
            "Open the relationship from the link: the answers themselves stay private.",
        ),
        "Open the relationship",
    )


SAFETY_TEMPLATES: dict[NotificationType, Template] = {
    T.CONCERN_REPORTED: _concern,
    T.PULSE_FLAGGED: _pulse,
}
