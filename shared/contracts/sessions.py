"""Events of the sessions service on ``sessions.v1`` (key: relationship id; ids only)."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import EventData

Id = str


class RelationshipStarted(EventData):
    event_type = "sessions.relationship.started"

    relationship_id: Id
    match_id: Id
    program_id: Id
    member_ids: tuple[Id, ...] = Field(min_length=2)
    starts_on: date
    planned_end: date | None = None
    cadence_days: int = Field(ge=1, le=365)


class _RelationshipFacts(EventData):
    """What every later event of a relationship opens with: which one, in which program."""

    relationship_id: Id
    program_id: Id


class _AllMembersFacts(_RelationshipFacts):
    """A relationship event every member hears about (so it names them all)."""

    member_ids: tuple[Id, ...] = ()


class RelationshipPaused(_RelationshipFacts):
    event_type = "sessions.relationship.paused"

    reason_code: str


class RelationshipEnded(_AllMembersFacts):
    event_type = "sessions.relationship.ended"

    reason_code: str
    ended_by: Id | None = None


class _MeetingFacts(EventData):
    meeting_id: Id
    relationship_id: Id
    program_id: Id
    member_ids: tuple[Id, ...] = Field(min_length=1)
    organiser_id: Id
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    time_zone: str
    sequence: int = Field(ge=0)


class MeetingScheduled(_MeetingFacts):
    event_type = "sessions.meeting.scheduled"


class MeetingRescheduled(_MeetingFacts):
    event_type = "sessions.meeting.rescheduled"


class MeetingCancelled(_MeetingFacts):
    event_type = "sessions.meeting.cancelled"


class MeetingCompleted(_MeetingFacts):
    event_type = "sessions.meeting.completed"


class MeetingNoShow(_MeetingFacts):
    event_type = "sessions.meeting.no_show"


class FeedbackSubmitted(EventData):
    event_type = "sessions.feedback.submitted"

    meeting_id: Id
    relationship_id: Id
    person_id: Id


class _ActionItemFacts(EventData):
    action_item_id: Id
    relationship_id: Id
    program_id: Id
    owner_id: Id
    due_at: AwareDatetime | None = None


class ActionItemCreated(_ActionItemFacts):
    event_type = "sessions.action_item.created"


class ActionItemCompleted(_ActionItemFacts):
    event_type = "sessions.action_item.completed"


class ActionItemOverdue(_ActionItemFacts):
    event_type = "sessions.action_item.overdue"


class JournalEntryAdded(EventData):
    """A journal entry exists; its text never leaves the sessions service."""

    event_type = "sessions.journal.entry_added"

    entry_id: Id
    person_id: Id
    relationship_id: Id | None = None
    kind: str


class HealthChanged(_AllMembersFacts):
    event_type = "sessions.health.changed"

    state: str
    previous_state: str | None = None
    reason_codes: tuple[str, ...] = ()


# ---- added with the sessions adapters (additive: new types only) -------------------


class RelationshipResumed(_RelationshipFacts):
    """A paused relationship is active again."""

    event_type = "sessions.relationship.resumed"


class ClosingSurveyRequested(_AllMembersFacts):
    """The relationship ended (a member ended it early, or its program was completed):
    every member is asked for a closing survey."""

    event_type = "sessions.relationship.closing_survey_requested"


class SeriesScheduled(EventData):
    """A recurring series was created; each occurrence also has its own meeting.scheduled."""

    event_type = "sessions.series.scheduled"

    series_id: Id
    relationship_id: Id
    program_id: Id
    organiser_id: Id
    member_ids: tuple[Id, ...] = ()
    time_zone: str
    interval_weeks: int = Field(ge=1, le=52)
    first_starts_at: AwareDatetime
    until: date
    meeting_ids: tuple[Id, ...] = ()


class SeriesCancelled(EventData):
    """A series was cancelled; each cancelled occurrence also has its meeting.cancelled."""

    event_type = "sessions.series.cancelled"

    series_id: Id
    relationship_id: Id
    program_id: Id
    cancelled_by: Id
    reason_code: str | None = None
    meeting_ids: tuple[Id, ...] = ()


class TimeLogged(EventData):
    event_type = "sessions.time.logged"

    log_id: Id
    relationship_id: Id
    program_id: Id
    person_id: Id
    meeting_id: Id | None = None
    minutes: int = Field(ge=1, le=1440)
    spent_on: date


class _GoalFacts(EventData):
    goal_id: Id
    relationship_id: Id
    program_id: Id
    owner_id: Id | None = None
    status: str


class GoalSet(_GoalFacts):
    event_type = "sessions.goal.set"


class GoalAchieved(_GoalFacts):
    event_type = "sessions.goal.achieved"


class GoalDropped(_GoalFacts):
    event_type = "sessions.goal.dropped"


class ActionItemDropped(_ActionItemFacts):
    event_type = "sessions.action_item.dropped"


class SurveyAnswered(_RelationshipFacts):
    """A member answered the closing survey of an ended relationship (the answers stay
    in sessions; HR sees them only as aggregates)."""

    event_type = "sessions.survey.answered"

    person_id: Id


# ---- reverse-mentoring safety (the junior side's private pulse) --------------------


class PulseRequested(EventData):
    """The junior member of a reverse-mentoring relationship is asked for a private pulse
    check (after the first and the third meeting held). Only the junior is named."""

    event_type = "sessions.pulse.requested"

    pulse_id: Id
    relationship_id: Id
    program_id: Id
    person_id: Id
    after_meeting: int = Field(ge=1, le=100)


class PulseFlagged(_RelationshipFacts):
    """A pulse answer fell below the program's comfort line. It names neither the answer
    nor who gave it: the program's admins only learn that a relationship needs a look."""

    event_type = "sessions.pulse.flagged"
