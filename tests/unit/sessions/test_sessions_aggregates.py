from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from services.sessions.domain.feedback import Feedback
from services.sessions.domain.health import HealthState
from services.sessions.domain.journal import JournalKind, record_journal_entry
from services.sessions.domain.meetings import Meeting, complete_meeting
from services.sessions.domain.relationships import Relationship
from services.sessions.domain.reports import MIN_PEOPLE_PER_CELL, Cell, Period, program_aggregates

from .builders import NOW, make_meeting, make_pair


def _pairs(n: int, program_id: str = "prog-1") -> list[Relationship]:
    return [
        make_pair(relationship_id=f"rel-{i}", program_id=program_id, mentor=f"m{i}", mentee=f"e{i}")
        for i in range(n)
    ]


def _held(rel: Relationship, day_offset: int = 1) -> Meeting:
    meeting = make_meeting(rel, meeting_id=f"meet-{rel.id}", starts_in=timedelta(days=day_offset))
    return complete_meeting(
        meeting,
        now=meeting.starts_at + timedelta(hours=1),
        attended_ids=set(meeting.participant_ids),
    ).state


def _aggregate(
    rels: list[Relationship], health: dict[str, HealthState] | None = None
) -> dict[str, Any]:
    meetings = [_held(r) for r in rels]
    feedback = [
        Feedback(m.id, m.relationship_id, m.participant_ids[0], 4, True, "FEEDBACK-TEXT", m.ends_at)
        for m in meetings
    ]
    journal = [
        record_journal_entry(
            r,
            entry_id=f"j-{r.id}",
            author_id=r.member_ids[1],
            kind=JournalKind.SMALL_WIN,
            text="JOURNAL-TEXT",
            now=NOW + timedelta(days=1),
        ).state
        for r in rels
    ]
    result = program_aggregates(
        program_id="prog-1",
        relationships=rels,
        meetings=meetings,
        feedback=feedback,
        action_items=[],
        journal_entries=journal,
        health=health or {},
        period=Period.ISO_WEEK,
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 8),
    )
    return result.to_dict()


def test_cells_computed_over_fewer_than_five_people_are_suppressed() -> None:
    out = _aggregate(_pairs(2))  # 4 people
    [week] = out["periods"]
    assert week["period"] == "2026-W10"
    for name in (
        "active_relationships",
        "meetings_planned",
        "meetings_held",
        "average_rating",
        "journal_entries",
    ):
        assert week[name] == {"value": None, "suppressed": True}, name


def test_cells_over_five_or_more_people_are_shown() -> None:
    out = _aggregate(_pairs(3))  # 6 people, but only 3 feedback authors and 3 journal authors
    [week] = out["periods"]
    assert week["active_relationships"] == {"value": 3, "suppressed": False}
    assert week["meetings_planned"] == {"value": 3, "suppressed": False}
    assert week["meetings_held"] == {"value": 3, "suppressed": False}
    assert week["average_rating"] == {"value": None, "suppressed": True}
    assert week["journal_entries"] == {"value": None, "suppressed": True}
    assert week["commitments_completed"] == {"value": None, "suppressed": True}

    out = _aggregate(_pairs(5))
    [week] = out["periods"]
    assert week["average_rating"] == {"value": 4.0, "suppressed": False}
    assert week["journal_entries"] == {"value": 5, "suppressed": False}
    assert MIN_PEOPLE_PER_CELL == 5


def test_aggregates_never_contain_feedback_or_journal_text_or_people() -> None:
    text = json.dumps(_aggregate(_pairs(6)))
    for forbidden in ("FEEDBACK-TEXT", "JOURNAL-TEXT", "m0", "e0"):
        assert forbidden not in text


def test_health_distribution_suppresses_small_cells_and_their_complement() -> None:
    rels = _pairs(7)
    health = {r.id: HealthState.HEALTHY for r in rels[:4]}
    health |= {r.id: HealthState.AT_RISK for r in rels[4:6]}
    health[rels[6].id] = HealthState.STALLED  # a single pair: 2 people
    out = _aggregate(rels, health=health)
    dist = out["health_distribution"]
    assert dist["healthy"] == {"value": 4, "suppressed": False}
    assert dist["stalled"] == {"value": None, "suppressed": True}
    # at_risk has 4 people, suppressed on its own; no subtraction trick is possible.
    assert dist["at_risk"] == {"value": None, "suppressed": True}


def test_single_suppressed_health_state_triggers_secondary_suppression() -> None:
    rels = _pairs(8)
    health = {r.id: HealthState.HEALTHY for r in rels[:4]}
    health |= {r.id: HealthState.AT_RISK for r in rels[4:7]}
    health[rels[7].id] = HealthState.STALLED
    dist = _aggregate(rels, health=health)["health_distribution"]
    assert dist["stalled"]["suppressed"] is True
    assert dist["at_risk"] == {"value": None, "suppressed": True}
    assert dist["healthy"] == {"value": 4, "suppressed": False}


def test_monthly_periods_cover_the_requested_range() -> None:
    result = program_aggregates(
        program_id="prog-1",
        relationships=_pairs(3),
        meetings=[],
        feedback=[],
        action_items=[],
        journal_entries=[],
        health={},
        period=Period.MONTH,
        first_day=date(2026, 1, 15),
        last_day=date(2026, 3, 2),
    )
    assert [(p.label, p.starts_on, p.ends_on) for p in result.periods] == [
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
    ]
    # Relationships started on 1 March: not active in January or February.
    assert [p.active_relationships for p in result.periods][:2] == [Cell(None, True)] * 2
    assert result.periods[2].active_relationships == Cell(3, False)


def test_other_programs_are_left_out() -> None:
    other = [
        make_pair(relationship_id=f"x{i}", program_id="prog-2", mentor=f"xm{i}", mentee=f"xe{i}")
        for i in range(3)
    ]
    result = program_aggregates(
        program_id="prog-1",
        relationships=_pairs(3) + other,
        meetings=[],
        feedback=[],
        action_items=[],
        journal_entries=[],
        health={},
        period=Period.ISO_WEEK,
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 2),
    )
    assert result.program_id == "prog-1"
    assert result.periods[0].active_relationships == Cell(3, False)
