from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.sessions.domain.errors import IllegalTransition, InvalidInput, NotAMember
from services.sessions.domain.events import EventType
from services.sessions.domain.relationships import (
    EndReason,
    Member,
    MemberRole,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
    end_relationship,
    pause_relationship,
    resume_relationship,
    start_relationship,
)

from .builders import NOW

ID_FIELDS_ONLY = {"relationship_id", "program_id", "match_id", "kind", "member_ids"}


def test_activated_match_becomes_an_active_relationship_announced_with_ids_only() -> None:
    outcome = start_relationship(
        relationship_id="rel-9",
        program_id="prog-1",
        match_id="match-9",
        kind=RelationshipKind.PEER_COACHING,
        members=[Member("a", MemberRole.PEER), Member("b", MemberRole.PEER, "America/Chicago")],
        started_on=date(2026, 3, 1),
        planned_end_on=date(2026, 9, 1),
        cadence_days=14,
        now=NOW,
    )
    assert outcome.state.status is RelationshipStatus.ACTIVE
    [event] = outcome.events
    assert event.type == EventType.RELATIONSHIP_STARTED == "relationship.started"
    assert event.subject_id == "rel-9"
    assert event.data["member_ids"] == ("a", "b")
    assert event.data["cadence_days"] == 14


def test_reverse_mentoring_pair_needs_one_mentor_and_one_mentee() -> None:
    with pytest.raises(InvalidInput, match="one mentor and one mentee"):
        start_relationship(
            relationship_id="r",
            program_id="p",
            match_id="m",
            kind=RelationshipKind.REVERSE_MENTORING,
            members=[Member("a", MemberRole.MENTOR), Member("b", MemberRole.MENTOR)],
            started_on=date(2026, 3, 1),
            planned_end_on=date(2026, 9, 1),
            cadence_days=14,
            now=NOW,
        )


def test_peer_group_circle_needs_at_least_three_members() -> None:
    with pytest.raises(InvalidInput, match="at least three"):
        start_relationship(
            relationship_id="r",
            program_id="p",
            match_id="m",
            kind=RelationshipKind.PEER_GROUP,
            members=[Member("a", MemberRole.FACILITATOR), Member("b", MemberRole.PARTICIPANT)],
            started_on=date(2026, 3, 1),
            planned_end_on=date(2026, 9, 1),
            cadence_days=7,
            now=NOW,
        )


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown time zone"):
        start_relationship(
            relationship_id="r",
            program_id="p",
            match_id="m",
            kind=RelationshipKind.PEER_COACHING,
            members=[Member("a", MemberRole.PEER, "Mars/Olympus"), Member("b", MemberRole.PEER)],
            started_on=date(2026, 3, 1),
            planned_end_on=date(2026, 9, 1),
            cadence_days=7,
            now=NOW,
        )


def test_flagged_match_pauses_the_relationship_and_it_can_resume(pair: Relationship) -> None:
    paused = pause_relationship(pair, reason="match_flagged", now=NOW)
    assert paused.state.status is RelationshipStatus.PAUSED
    assert [e.type for e in paused.events] == ["relationship.paused"]
    resumed = resume_relationship(paused.state, now=NOW + timedelta(days=1))
    assert resumed.state.status is RelationshipStatus.ACTIVE
    assert [e.type for e in resumed.events] == ["relationship.resumed"]


def test_active_relationship_cannot_be_resumed(pair: Relationship) -> None:
    with pytest.raises(IllegalTransition, match="only a paused relationship"):
        resume_relationship(pair, now=NOW)


def test_member_ending_early_requests_a_closing_survey(pair: Relationship) -> None:
    outcome = end_relationship(
        pair,
        reason=EndReason.ENDED_EARLY,
        ended_by="p-mentee",
        comment="we never found a time that worked",
        now=NOW,
    )
    assert outcome.state.status is RelationshipStatus.ENDED
    assert outcome.state.closing_survey_requested
    assert [e.type for e in outcome.events] == [
        "relationship.ended",
        "relationship.closing_survey_requested",
    ]
    for event in outcome.events:
        assert "we never found" not in repr(event.data)


def test_ending_early_requires_a_member_of_the_relationship(pair: Relationship) -> None:
    with pytest.raises(NotAMember):
        end_relationship(pair, reason=EndReason.ENDED_EARLY, ended_by="stranger", now=NOW)


def test_departure_ends_the_relationship_without_a_survey(pair: Relationship) -> None:
    outcome = end_relationship(pair, reason=EndReason.MEMBER_DEPARTED, now=NOW)
    assert not outcome.state.closing_survey_requested
    assert [e.type for e in outcome.events] == ["relationship.ended"]
    assert outcome.events[0].data["reason"] == "member_departed"


def test_ended_relationship_cannot_be_paused_or_ended_again(pair: Relationship) -> None:
    ended = end_relationship(pair, reason=EndReason.COMPLETED, now=NOW).state
    with pytest.raises(IllegalTransition, match="only an active relationship can be paused"):
        pause_relationship(ended, reason="match_flagged", now=NOW)
    with pytest.raises(IllegalTransition, match="already ended"):
        end_relationship(ended, reason=EndReason.COMPLETED, now=NOW)


def test_a_completed_program_ends_it_completed_with_a_survey_for_everyone(
    pair: Relationship,
) -> None:
    outcome = end_relationship(
        pair, reason=EndReason.COMPLETED, match_reason="program_completed", now=NOW
    )
    assert outcome.state.closing_survey_requested and outcome.state.ended_by is None
    assert outcome.state.match_end_reason == "program_completed"
    assert [e.type for e in outcome.events] == [
        "relationship.ended",
        "relationship.closing_survey_requested",
    ]
    assert outcome.events[0].data["reason"] == "completed"
    assert outcome.events[1].data["member_ids"] == pair.member_ids
