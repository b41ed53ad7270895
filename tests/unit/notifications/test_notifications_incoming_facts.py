"""The event -> fact adapter: every event the notifier reacts to, and the ones it ignores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.notifications.domain import facts as d
from services.notifications.incoming_facts import (
    display_details,
    facts_from_event,
    match_members_of,
)
from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.registry import ParsedEvent

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EXPLANATION = m.Explanation(
    total_score=1.0, contributions={}, constraints_satisfied=("not_same_reporting_chain",)
)
MEMBERS = (
    m.Member(person_id="mentor-1", role=m.MemberRole.MENTOR),
    m.Member(person_id="mentee-1", role=m.MemberRole.MENTEE),
)


def _event(data: EventData) -> ParsedEvent:
    return ParsedEvent(Envelope.wrap(data, source="/test", subject="s", time=AT), data)


def test_a_proposal_without_expiry_gets_the_default_expiry() -> None:
    event = _event(
        m.MatchProposed(
            match_id="match-1",
            program_id="p",
            kind=m.ProgramKind.REVERSE_MENTORING,
            members=MEMBERS,
            explanation=EXPLANATION,
        )
    )
    [fact] = facts_from_event(event, match_members={}, default_match_expiry=timedelta(days=3))
    assert isinstance(fact, d.MatchProposed)
    assert fact.member_ids == ("mentor-1", "mentee-1")
    assert fact.expires_at == AT + timedelta(days=3) and fact.occurred_at == AT
    assert match_members_of(event) == ("match-1", ("mentor-1", "mentee-1"))


def test_a_decline_closes_the_match_for_every_known_member() -> None:
    event = _event(m.MatchDeclined(match_id="match-1", program_id="p", person_id="mentee-1"))
    [fact] = facts_from_event(event, match_members={"match-1": ("mentor-1", "mentee-1")})
    assert isinstance(fact, d.MatchClosed)
    assert fact.member_ids == ("mentor-1", "mentee-1") and fact.outcome == "declined"


def _activated(**extra: Any) -> m.MatchActivated:
    return m.MatchActivated(
        match_id="match-1",
        program_id="p",
        kind=m.ProgramKind.PEER_COACHING,
        members=MEMBERS,
        explanation=EXPLANATION,
        starts_on=AT.date(),
        **extra,
    )


def test_an_activation_introduces_the_members_of_the_sessions_relationship() -> None:
    [fact] = facts_from_event(_event(_activated()), match_members={})
    assert isinstance(fact, d.MatchActivated)
    assert fact.relationship_id == "rel-match-1"
    assert fact.explanation_codes == ("not_same_reporting_chain",)
    assert not fact.assigned


def test_an_assigned_activation_says_nobody_accepted() -> None:
    assigned = _activated(assigned=True)
    [fact] = facts_from_event(_event(assigned), match_members={})
    assert isinstance(fact, d.MatchActivated) and fact.assigned
    assert match_members_of(_event(assigned)) == ("match-1", ("mentor-1", "mentee-1"))


def test_meeting_events_map_to_their_facts_with_sequence_and_details() -> None:
    common = {
        "meeting_id": "meeting-1",
        "relationship_id": "rel-1",
        "program_id": "p",
        "member_ids": ("a", "b"),
        "organiser_id": "a",
        "starts_at": AT + timedelta(days=1),
        "ends_at": AT + timedelta(days=1, hours=1),
        "time_zone": "Europe/Berlin",
    }
    for contract, fact_type in (
        (s.MeetingScheduled, d.MeetingScheduled),
        (s.MeetingRescheduled, d.MeetingRescheduled),
        (s.MeetingCancelled, d.MeetingCancelled),
    ):
        event = _event(contract(**common, sequence=2))
        [fact] = facts_from_event(event, match_members={})
        assert type(fact) is fact_type and fact.sequence == 2
        assert display_details(event)["time_zone"] == "Europe/Berlin"


def test_health_and_commitments_map_and_other_events_are_ignored() -> None:
    health = _event(
        s.HealthChanged(
            relationship_id="rel-1", program_id="p", member_ids=("a", "b"), state="stalled"
        )
    )
    [fact] = facts_from_event(health, match_members={})
    assert isinstance(fact, d.HealthChanged) and fact.previous_state == "unknown"

    overdue = _event(
        s.ActionItemOverdue(
            action_item_id="ai-1",
            relationship_id="rel-1",
            program_id="p",
            owner_id="a",
            due_at=AT - timedelta(days=1),
        )
    )
    [fact] = facts_from_event(overdue, match_members={})
    assert isinstance(fact, d.ActionItemOverdue) and fact.due_on == (AT - timedelta(days=1)).date()

    done = _event(
        s.ActionItemCompleted(
            action_item_id="ai-1", relationship_id="rel-1", program_id="p", owner_id="a"
        )
    )
    assert isinstance(facts_from_event(done, match_members={})[0], d.ActionItemClosed)

    journal = _event(s.JournalEntryAdded(entry_id="j", person_id="a", kind="win"))
    assert facts_from_event(journal, match_members={}) == []
    unknown_end = _event(m.MatchEnded(match_id="zzz", program_id="p", reason_code="x"))
    assert facts_from_event(unknown_end, match_members={}) == []


def test_a_closing_survey_request_asks_the_members_it_names_or_the_known_ones() -> None:
    named = _event(
        s.ClosingSurveyRequested(relationship_id="rel-1", program_id="p", member_ids=("a", "b"))
    )
    [fact] = facts_from_event(named, match_members={})
    assert isinstance(fact, d.SurveyRequested) and fact.member_ids == ("a", "b")

    unnamed = _event(s.ClosingSurveyRequested(relationship_id="rel-1", program_id="p"))
    [fact] = facts_from_event(unnamed, match_members={"rel-1": ("a", "b")})
    assert isinstance(fact, d.SurveyRequested) and fact.member_ids == ("a", "b")
    assert facts_from_event(unnamed, match_members={}) == []


def test_an_end_tells_every_member_but_a_members_own_end_is_told_from_sessions() -> None:
    known = {"match-1": ("mentor-1", "mentee-1"), "rel-match-1": ("mentor-1", "mentee-1")}
    by_admin = _event(
        m.MatchEnded(match_id="match-1", program_id="p", reason_code="ended_by_admin")
    )
    [fact] = facts_from_event(by_admin, match_members=known)
    assert isinstance(fact, d.MatchEnded) and fact.told == ("mentor-1", "mentee-1")

    by_member = _event(
        m.MatchEnded(match_id="match-1", program_id="p", reason_code="ended_by_member")
    )
    [fact] = facts_from_event(by_member, match_members=known)
    assert isinstance(fact, d.MatchEnded) and fact.told == ()

    early = _event(
        s.RelationshipEnded(
            relationship_id="rel-match-1",
            program_id="p",
            reason_code="ended_early",
            ended_by="mentee-1",
        )
    )
    [fact] = facts_from_event(early, match_members=known)
    assert isinstance(fact, d.MatchEnded)
    assert (fact.match_id, fact.outcome, fact.told) == ("match-1", "ended_by_member", ("mentor-1",))
    completed = _event(
        s.RelationshipEnded(relationship_id="rel-match-1", program_id="p", reason_code="completed")
    )
    assert facts_from_event(completed, match_members=known) == []


def test_a_kept_match_resumes_for_its_known_members() -> None:
    kept = _event(m.MatchResumed(match_id="match-1", program_id="p"))
    [fact] = facts_from_event(kept, match_members={"match-1": ("mentor-1", "mentee-1")})
    assert isinstance(fact, d.MatchResumed) and fact.member_ids == ("mentor-1", "mentee-1")
    assert facts_from_event(kept, match_members={}) == []
