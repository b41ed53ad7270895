"""Builders for the sessions domain specifications (no I/O, fixed clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.sessions.domain.meetings import Meeting, schedule_meeting
from services.sessions.domain.relationships import (
    Member,
    MemberRole,
    Relationship,
    RelationshipKind,
    start_relationship,
)

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


def make_pair(
    *,
    relationship_id: str = "rel-1",
    program_id: str = "prog-1",
    mentor_zone: str = "Europe/Berlin",
    mentee_zone: str = "Asia/Kolkata",
    cadence_days: int = 14,
    started_on: date = date(2026, 3, 1),
    planned_end_on: date = date(2026, 8, 31),
    mentor: str = "p-mentor",
    mentee: str = "p-mentee",
) -> Relationship:
    return start_relationship(
        relationship_id=relationship_id,
        program_id=program_id,
        match_id=f"match-{relationship_id}",
        kind=RelationshipKind.REVERSE_MENTORING,
        members=[
            Member(mentor, MemberRole.MENTOR, mentor_zone),
            Member(mentee, MemberRole.MENTEE, mentee_zone),
        ],
        started_on=started_on,
        planned_end_on=planned_end_on,
        cadence_days=cadence_days,
        now=NOW,
    ).state


def make_meeting(
    rel: Relationship,
    *,
    meeting_id: str = "meet-1",
    starts_in: timedelta = timedelta(days=3),
    minutes: int = 45,
    now: datetime = NOW,
) -> Meeting:
    return schedule_meeting(
        meeting_id=meeting_id,
        relationship=rel,
        organiser_id=rel.member_ids[0],
        starts_at=now + starts_in,
        duration_minutes=minutes,
        now=now,
    ).state
