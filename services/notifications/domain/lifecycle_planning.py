"""Planning for the ends and turns of a mentoring relationship: a match ended (and why),
a flagged match kept, the closing survey, the next suggestion after a failed request.

Each rule is an immediate notice due at the fact's ``occurred_at`` (stale replays plan
no notice, ``Rules.notice_allowed``); ``payload["counterpart_ids"]`` names the others,
for the message's names.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.contracts.identifiers import relationship_id_for

from ._rules import Rules, withdraw
from .facts import MatchEnded, MatchResumed, NextSuggestion, SurveyRequested
from .model import NotificationType, PayloadValue, Plan, PlannedNotification

__all__ = [
    "MATCH_ITEM_TYPES",
    "plan_match_ended",
    "plan_match_resumed",
    "plan_next_suggestion",
    "plan_survey_requested",
]

T = NotificationType
#: What a proposal leaves pending for its members until it is answered, activated or ends.
MATCH_ITEM_TYPES = (T.MATCH_PROPOSED, T.MATCH_EXPIRY_REMINDER)


def plan_match_ended(fact: MatchEnded, rules: Rules) -> Plan:
    """The proposal's pending items go; each member in ``told`` learns that the match
    ended and why (``reason_code``), once per match (``ONCE_PER_SUBJECT``)."""
    withdrawn = withdraw(fact.member_ids, MATCH_ITEM_TYPES, fact.match_id, f"match_{fact.outcome}")
    if not rules.notice_allowed(fact.occurred_at, None):
        return Plan((), withdrawn)
    common: dict[str, PayloadValue] = {
        "match_id": fact.match_id,
        "relationship_id": relationship_id_for(fact.match_id),
        "reason_code": fact.outcome,
    }
    told = [m for m in fact.told if m in fact.member_ids]
    items = _to_each(told, fact.member_ids, T.MATCH_ENDED, fact.match_id, fact, rules, common)
    return Plan(items, withdrawn)


def plan_match_resumed(fact: MatchResumed, rules: Rules) -> Plan:
    """Each member learns that their mentoring continues."""
    if not rules.notice_allowed(fact.occurred_at, None):
        return Plan()
    common: dict[str, PayloadValue] = {
        "match_id": fact.match_id,
        "relationship_id": relationship_id_for(fact.match_id),
    }
    items = _to_each(
        fact.member_ids, fact.member_ids, T.MATCH_RESUMED, fact.match_id, fact, rules, common
    )
    return Plan(items)


def plan_next_suggestion(fact: NextSuggestion, rules: Rules) -> Plan:
    """The requester of a failed self-match request is offered the next suggestion, once
    per request (``ONCE_PER_SUBJECT``); the suggested person is not told anything."""
    payload: dict[str, PayloadValue] = {
        "match_id": fact.match_id,
        "program_id": fact.program_id,
        "suggested_person_id": fact.suggested_id,
        "counterpart_ids": (fact.suggested_id,),
    }
    return rules.notice_to(
        fact.requester_id, T.NEXT_SUGGESTION, fact.match_id, fact.occurred_at, payload
    )


def plan_survey_requested(fact: SurveyRequested, rules: Rules) -> Plan:
    """Ask each member for the closing survey of their relationship: one request per
    member per relationship (``ONCE_PER_SUBJECT``), however often it is announced."""
    if not rules.notice_allowed(fact.occurred_at, None):
        return Plan()
    common: dict[str, PayloadValue] = {"relationship_id": fact.relationship_id}
    items = _to_each(
        fact.member_ids,
        fact.member_ids,
        T.CLOSING_SURVEY_REQUEST,
        fact.relationship_id,
        fact,
        rules,
        common,
    )
    return Plan(items)


def _to_each(
    recipients: Iterable[str],
    members: tuple[str, ...],
    type_: NotificationType,
    subject_id: str,
    fact: MatchEnded | MatchResumed | SurveyRequested,
    rules: Rules,
    common: dict[str, PayloadValue],
) -> tuple[PlannedNotification, ...]:
    """One notice per recipient, naming the other ``members`` (and the program, if known)."""
    program = {"program_id": fact.program_id} if fact.program_id is not None else {}
    return tuple(
        rules.item(
            person,
            type_,
            subject_id,
            fact.occurred_at,
            {**common, **program, "counterpart_ids": tuple(m for m in members if m != person)},
        )
        for person in recipients
    )
