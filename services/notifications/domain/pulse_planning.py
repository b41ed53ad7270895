"""Planning for the junior's private pulse check in reverse mentoring: one prompt, to the
junior alone (the senior member is never told that a check was asked, nor its answer).

An immediate notice due at the fact's ``occurred_at`` (stale replays plan none), once per
pulse (``ONCE_PER_SUBJECT``); its payload names the pulse, never the other member.
"""

from __future__ import annotations

from ._rules import Rules
from .facts import PulseRequested
from .model import NotificationType, PayloadValue, Plan

__all__ = ["plan_pulse_requested"]


def plan_pulse_requested(fact: PulseRequested, rules: Rules) -> Plan:
    """Prompt the junior member (only them) to answer their pulse check."""
    payload: dict[str, PayloadValue] = {
        "pulse_id": fact.pulse_id,
        "relationship_id": fact.relationship_id,
    }
    if fact.program_id is not None:
        payload["program_id"] = fact.program_id
    return rules.notice_to(
        fact.person_id,
        NotificationType.PULSE_CHECK_REQUEST,
        fact.pulse_id,
        fact.occurred_at,
        payload,
    )
