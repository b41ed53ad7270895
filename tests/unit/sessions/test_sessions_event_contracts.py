"""Every event the domain emits matches its declared payload keys and carries no text."""

from __future__ import annotations

from datetime import date, time, timedelta

from services.sessions.domain.action_items import (
    announce_newly_overdue,
    complete_action_item,
    create_action_item,
    drop_action_item,
)
from services.sessions.domain.events import EVENT_FIELDS, DomainEvent, EventType
from services.sessions.domain.feedback import submit_feedback
from services.sessions.domain.goals import achieve_goal, drop_goal, set_goal
from services.sessions.domain.health import (
    Health,
    HealthState,
    RelationshipFacts,
    health_changed_event,
)
from services.sessions.domain.journal import JournalKind, record_journal_entry
from services.sessions.domain.meetings import (
    cancel_meeting,
    complete_meeting,
    mark_no_show,
    reschedule_meeting,
    schedule_meeting,
)
from services.sessions.domain.pulses import PulseAnswer, answer_pulse, pulses_due
from services.sessions.domain.relationships import (
    EndReason,
    end_relationship,
    pause_relationship,
    resume_relationship,
    start_relationship,
)
from services.sessions.domain.series import cancel_series, schedule_series
from services.sessions.domain.surveys import GoalsMet, answer_survey
from services.sessions.domain.time_log import log_time_spent

from .builders import NOW, make_pair

SECRET = "SECRET-FREE-TEXT"


def _all_events() -> list[DomainEvent]:
    events: list[DomainEvent] = []
    rel = make_pair()
    events += start_relationship(
        relationship_id="r2",
        program_id="p",
        match_id="m",
        kind=rel.kind,
        members=rel.members,
        started_on=rel.started_on,
        planned_end_on=rel.planned_end_on,
        cadence_days=7,
        now=NOW,
    ).events
    paused = pause_relationship(rel, reason="match_flagged", now=NOW)
    events += paused.events + resume_relationship(paused.state, now=NOW).events
    ended = end_relationship(
        rel, reason=EndReason.ENDED_EARLY, ended_by="p-mentor", comment=SECRET, now=NOW
    )
    events += answer_survey(
        ended.state,
        None,
        person_id="p-mentee",
        overall=4,
        partner_helpfulness=5,
        goals_met=GoalsMet.PARTLY,
        would_recommend=True,
        would_continue=False,
        private_note=SECRET,
        now=NOW,
    ).events
    events += end_relationship(
        rel, reason=EndReason.ENDED_EARLY, ended_by="p-mentor", comment=SECRET, now=NOW
    ).events
    m = schedule_meeting(
        meeting_id="m1",
        relationship=rel,
        organiser_id="p-mentor",
        starts_at=NOW + timedelta(days=1),
        duration_minutes=30,
        now=NOW,
    )
    events += m.events
    later = NOW + timedelta(days=2)
    events += reschedule_meeting(m.state, new_starts_at=later, now=NOW, by="p-mentee").events
    events += cancel_meeting(m.state, now=NOW, by="p-mentee", reason="conflict").events
    held = complete_meeting(m.state, now=later, attended_ids={"p-mentor", "p-mentee"})
    events += held.events
    events += mark_no_show(m.state, now=later, absent_ids={"p-mentee"}).events
    events += submit_feedback(
        held.state, [], author_id="p-mentor", rating=3, was_useful=True, comment=SECRET, now=later
    ).events
    events += log_time_spent(
        rel, log_id="t", person_id="p-mentor", minutes=30, spent_on=NOW.date(), now=NOW
    ).events
    series = schedule_series(
        series_id="s",
        relationship=rel,
        organiser_id="p-mentor",
        first_date=date(2026, 3, 9),
        local_time=time(9),
        duration_minutes=30,
        interval_weeks=2,
        now=NOW,
    )
    events += series.events
    events += cancel_series(*series.state, now=NOW, by="p-mentor").events
    goal = set_goal(rel, goal_id="g", owner_id=None, title=SECRET, now=NOW)
    events += goal.events
    events += achieve_goal(goal.state, program_id="prog-1", now=NOW).events
    events += drop_goal(goal.state, program_id="prog-1", now=NOW).events
    item = create_action_item(
        rel, item_id="a", owner_id="p-mentee", description=SECRET, due_on=NOW.date(), now=NOW
    )
    events += item.events
    events += complete_action_item(item.state, program_id="prog-1", now=NOW).events
    events += drop_action_item(item.state, program_id="prog-1", now=NOW).events
    events += announce_newly_overdue(
        [item.state], program_id="prog-1", now=NOW + timedelta(days=3)
    ).events
    events += record_journal_entry(
        rel, entry_id="j", author_id="p-mentee", kind=JournalKind.SETBACK, text=SECRET, now=NOW
    ).events
    asked = pulses_due(rel, meetings_held=1, now=NOW)[0]
    events += asked.events
    low = PulseAnswer(comfort=1, psychological_safety=4, would_continue=True, note=SECRET)
    events += answer_pulse(asked.state, low, now=later).events
    facts = RelationshipFacts("rel-1", "prog-1", 14, NOW, None, None, 0, (), 0, 0)
    changed = health_changed_event(facts, None, Health(HealthState.STALLED), NOW)
    assert changed is not None
    events.append(changed)
    return events


def test_every_event_type_is_declared_with_its_payload_keys() -> None:
    declared = {v for k, v in vars(EventType).items() if k.isupper()}
    assert declared == set(EVENT_FIELDS)
    assert {e.type for e in _all_events()} == declared


def test_every_emitted_event_matches_its_declared_keys_and_carries_no_free_text() -> None:
    for event in _all_events():
        assert set(event.data) == EVENT_FIELDS[event.type], event.type
        assert SECRET not in repr(event), event.type
        assert event.occurred_at.tzinfo is not None
        assert event.version == 1
        for value in event.data.values():
            assert value is None or isinstance(value, str | int | bool | tuple)
