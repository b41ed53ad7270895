"""Planning for the ends and turns of a mentoring relationship: the closing survey.

Each rule is an immediate notice due at the fact's ``occurred_at`` (stale replays plan
nothing, ``Rules.notice_allowed``).
"""

from __future__ import annotations

from ._rules import Rules
from .facts import SurveyRequested
from .model import NotificationType, PayloadValue, Plan

__all__ = ["plan_survey_requested"]

T = NotificationType


def plan_survey_requested(fact: SurveyRequested, rules: Rules) -> Plan:
    """Ask each member for the closing survey of their relationship: one request per
    member per relationship (``ONCE_PER_SUBJECT``), however often it is announced."""
    if not rules.notice_allowed(fact.occurred_at, None):
        return Plan()
    items = []
    for member in fact.member_ids:
        payload: dict[str, PayloadValue] = {
            "relationship_id": fact.relationship_id,
            "counterpart_ids": tuple(m for m in fact.member_ids if m != member),
        }
        if fact.program_id is not None:
            payload["program_id"] = fact.program_id
        items.append(
            rules.item(
                member, T.CLOSING_SURVEY_REQUEST, fact.relationship_id, fact.occurred_at, payload
            )
        )
    return Plan(tuple(items))
