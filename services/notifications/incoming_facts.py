"""Incoming events -> the notification domain's facts: the one place that maps other
services' events to them (``planner.queue_writes``, run by ``incoming.plan``).

Pure: no I/O. What an event does not carry (the members of a match named only by id
in a decline) is passed in by the caller as ``match_members``. Events the notifier
does not react to map to no fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any, TypeVar

from services.notifications.domain import facts as d
from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.envelope import EventData
from shared.contracts.identifiers import match_id_of, relationship_id_for
from shared.contracts.registry import ParsedEvent

#: ``mentoring.match.ended`` reason when a member ended the relationship in sessions.
ENDED_BY_MEMBER = "ended_by_member"
#: ``sessions.relationship.ended`` reason when a member ended it.
ENDED_EARLY = "ended_early"

F = TypeVar("F", bound=d.Fact)


def facts_from_event(
    event: ParsedEvent,
    *,
    match_members: Mapping[str, tuple[str, ...]],
    default_match_expiry: timedelta = timedelta(days=14),
) -> list[d.Fact]:
    """The domain facts one event announces (usually one, often none). ``match_members``
    holds the members the event does not name, by match id or by relationship id."""
    data, at = event.data, event.envelope.time
    match_facts = _match_facts(data, at, match_members, default_match_expiry)
    return match_facts if match_facts is not None else _session_facts(data, at, match_members)


def _match_facts(
    data: object,
    at: datetime,
    match_members: Mapping[str, tuple[str, ...]],
    default_match_expiry: timedelta,
) -> list[d.Fact] | None:
    """The facts of a ``mentoring.matches.v1`` event (None: not one of those)."""
    match data:
        case m.MatchProposed():
            return [
                _fact(
                    d.MatchProposed,
                    data,
                    at,
                    member_ids=_member_ids(data),
                    expires_at=data.expires_at or at + default_match_expiry,
                )
            ]
        case m.MatchAccepted():
            return [_fact(d.MatchResponded, data, at, member_id=data.person_id)]
        case m.MatchDeclined():
            members = match_members.get(data.match_id) or (data.person_id,)
            return [_fact(d.MatchClosed, data, at, member_ids=members, outcome="declined")]
        case m.MatchSuggested():
            return [
                _fact(
                    d.NextSuggestion,
                    data,
                    at,
                    requester_id=data.person_id,
                    suggested_id=data.suggested_person_id,
                )
            ]
        case m.MatchEnded() | m.MatchResumed():
            return _match_turn_facts(data, at, match_members.get(data.match_id))
        case m.MatchActivated():
            return [
                _fact(
                    d.MatchActivated,
                    data,
                    at,
                    relationship_id=relationship_id_for(data.match_id),
                    member_ids=_member_ids(data),
                    explanation_codes=tuple(data.explanation.constraints_satisfied),
                )
            ]
    return None


def _match_turn_facts(
    data: m.MatchEnded | m.MatchResumed, at: datetime, members: tuple[str, ...] | None
) -> list[d.Fact]:
    """A match ended or was kept: its members (known from its proposal) are told."""
    if not members:
        return []
    if isinstance(data, m.MatchResumed):
        return [_fact(d.MatchResumed, data, at, member_ids=members)]
    # A member's own early end is told from sessions' event, which names who ended it
    # (``_ended_early``): the others learn it there.
    told = () if data.reason_code == ENDED_BY_MEMBER else members
    return [_fact(d.MatchEnded, data, at, member_ids=members, outcome=data.reason_code, told=told)]


def _session_facts(
    data: object, at: datetime, members: Mapping[str, tuple[str, ...]]
) -> list[d.Fact]:
    """The facts of a ``sessions.v1`` event (none for the others)."""
    match data:
        case s.RelationshipEnded() if data.reason_code == ENDED_EARLY:
            return _ended_early(data, at, data.member_ids or members.get(data.relationship_id))
        case s.ClosingSurveyRequested():
            asked = data.member_ids or members.get(data.relationship_id)
            if not asked:
                return []
            return [_fact(d.SurveyRequested, data, at, member_ids=asked)]
        case s.MeetingScheduled() | s.MeetingRescheduled() | s.MeetingCancelled():
            return [_meeting_fact(data, at)]
        case s.HealthChanged():
            if not data.member_ids:
                return []
            previous = data.previous_state or "unknown"
            return [_fact(d.HealthChanged, data, at, previous_state=previous)]
        case s.ActionItemOverdue():
            due = data.due_at or at
            return [_fact(d.ActionItemOverdue, data, at, due_on=due.date())]
        case s.ActionItemCompleted() | s.ActionItemDropped():
            return [_fact(d.ActionItemClosed, data, at)]
        case s.PulseRequested():
            return [_fact(d.PulseRequested, data, at)]
    return []


def _ended_early(
    data: s.RelationshipEnded, at: datetime, members: tuple[str, ...] | None
) -> list[d.Fact]:
    """A member ended the relationship: the match ends (``ended_by_member``) and the
    other members are told (the matcher's ``mentoring.match.ended`` that follows names
    no one, and its notice has the same key: one per member per match)."""
    match_id = match_id_of(data.relationship_id)
    if match_id is None or not members:
        return []
    told = tuple(p for p in members if p != data.ended_by)
    return [
        _fact(
            d.MatchEnded,
            data,
            at,
            match_id=match_id,
            member_ids=members,
            outcome=ENDED_BY_MEMBER,
            told=told,
        )
    ]


_MEETING_FACTS = {
    s.MeetingScheduled: d.MeetingScheduled,
    s.MeetingRescheduled: d.MeetingRescheduled,
    s.MeetingCancelled: d.MeetingCancelled,
}


def _meeting_fact(
    data: s.MeetingScheduled | s.MeetingRescheduled | s.MeetingCancelled, at: datetime
) -> d.Fact:
    return _fact(_MEETING_FACTS[type(data)], data, at)


def _fact(fact_type: type[F], data: EventData, at: datetime, **values: Any) -> F:
    """A fact from the event: each field the event carries under the fact's own name (ids,
    times, codes), the event time as ``occurred_at``, and ``values`` for the rest.

    A fact field the event lacks and ``values`` do not give keeps its default; a required
    one missing is a ``TypeError`` here, at the mapping, not later in planning."""
    given = {"occurred_at": at, **values}
    carried = {
        f.name: getattr(data, f.name)
        for f in fields(fact_type)
        if f.name in type(data).model_fields and f.name not in given
    }
    return fact_type(**carried, **given)


def _member_ids(data: m.MatchProposed | m.MatchActivated) -> tuple[str, ...]:
    return tuple(x.person_id for x in data.members)


def relationship_to_look_up(event: ParsedEvent) -> str | None:
    """The relationship whose members the notifier must look up for ``event`` (a survey
    request or an end that names only the relationship), or None."""
    data = event.data
    if isinstance(data, s.RelationshipEnded) and data.reason_code != ENDED_EARLY:
        return None
    if isinstance(data, s.ClosingSurveyRequested | s.RelationshipEnded) and not data.member_ids:
        return data.relationship_id
    return None


def relationship_started(event: ParsedEvent) -> tuple[str, tuple[str, ...]] | None:
    """(relationship id, member ids) of a relationship that starts, so that an end or a
    survey request later in the same batch finds its members."""
    data = event.data
    if isinstance(data, s.RelationshipStarted):
        return data.relationship_id, data.member_ids
    return None


def match_members_of(event: ParsedEvent) -> tuple[str, tuple[str, ...]] | None:
    """(match id, member ids) when the event names a match's members, to remember them."""
    data = event.data
    if isinstance(data, m.MatchProposed | m.MatchActivated):
        return data.match_id, _member_ids(data)
    return None


def display_details(event: ParsedEvent) -> dict[str, object]:
    """Ids kept on queued items for rendering and the calendar attachment (never names)."""
    data = event.data
    if isinstance(data, s.MeetingScheduled | s.MeetingRescheduled | s.MeetingCancelled):
        return {
            "member_ids": list(data.member_ids),
            "time_zone": data.time_zone,
            "organiser_id": data.organiser_id,
        }
    if isinstance(data, m.MatchProposed | m.MatchActivated):
        return {"member_ids": [x.person_id for x in data.members]}
    if isinstance(data, s.HealthChanged):
        return {"member_ids": list(data.member_ids)}
    return {}
