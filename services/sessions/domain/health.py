"""Relationship health: is the pair or circle keeping its rhythm?

Thresholds (all in `HealthThresholds`, defaults shown; `cadence` is the
relationship's expected interval between meetings):

* cadence_missed (at_risk): the last held meeting, or the start if none was held,
  is more than cadence x 1.25 ago.
* long_silence (stalled): more than cadence x 2 since then AND no meeting scheduled.
* frequent_cancellations (at_risk): 2 or more cancellations in the lookback window
  (cadence x 3, at least 28 days).
* low_ratings (at_risk): average of the last 4 ratings below 3.0 (needs 2 ratings).
* feedback_declining (at_risk): the last 2 ratings average 1.0+ below the 2 before.
* commitments_slipping (at_risk): of at least 2 action items due in the lookback
  window, fewer than half were done.

`stalled` wins over `at_risk`; `healthy` means no reason. Assess active
relationships only: a paused or ended one is not expected to meet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from shared.local_time import require_utc

from .action_items import ActionItem, ActionItemStatus
from .events import DomainEvent, EventType
from .feedback import Feedback
from .meetings import Meeting, MeetingStatus
from .relationships import Relationship

__all__ = [
    "HealthState",
    "HealthReason",
    "HealthThresholds",
    "RelationshipFacts",
    "Health",
    "relationship_facts",
    "assess_health",
    "health_changed",
    "health_changed_event",
]


class HealthState(StrEnum):
    HEALTHY = "healthy"
    AT_RISK = "at_risk"
    STALLED = "stalled"


class HealthReason(StrEnum):
    CADENCE_MISSED = "cadence_missed"
    LONG_SILENCE = "long_silence"
    FREQUENT_CANCELLATIONS = "frequent_cancellations"
    LOW_RATINGS = "low_ratings"
    FEEDBACK_DECLINING = "feedback_declining"
    COMMITMENTS_SLIPPING = "commitments_slipping"


@dataclass(frozen=True)
class HealthThresholds:
    cadence_grace_ratio: float = 1.25
    stalled_ratio: float = 2.0
    lookback_cadences: int = 3
    min_lookback_days: int = 28
    max_cancellations: int = 1
    low_rating: float = 3.0
    rating_window: int = 4
    declining_drop: float = 1.0
    min_commitments: int = 2
    min_kept_ratio: float = 0.5

    def lookback(self, cadence_days: int) -> timedelta:
        return timedelta(days=max(cadence_days * self.lookback_cadences, self.min_lookback_days))


DEFAULT_THRESHOLDS = HealthThresholds()


@dataclass(frozen=True)
class RelationshipFacts:
    """What health is computed from; build it with `relationship_facts` or by projection."""

    relationship_id: str
    program_id: str
    cadence_days: int
    started_at: datetime
    last_held_at: datetime | None
    next_scheduled_at: datetime | None
    recent_cancellations: int
    ratings: tuple[int, ...]  # oldest first
    commitments_due: int
    commitments_kept: int


@dataclass(frozen=True)
class Health:
    state: HealthState
    reasons: tuple[HealthReason, ...] = ()


def relationship_facts(
    relationship: Relationship,
    meetings: Sequence[Meeting],
    feedback: Sequence[Feedback],
    action_items: Sequence[ActionItem],
    *,
    now: datetime,
    thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
) -> RelationshipFacts:
    """Summarise a relationship's meetings, feedback and commitments as of `now`."""
    now = require_utc(now, "now")
    since = now - thresholds.lookback(relationship.cadence_days)
    own = [m for m in meetings if m.relationship_id == relationship.id]
    held = [m.starts_at for m in own if m.status is MeetingStatus.COMPLETED and m.starts_at <= now]
    upcoming = [
        m.starts_at for m in own if m.status is MeetingStatus.SCHEDULED and m.starts_at > now
    ]
    cancellations = sum(
        1
        for m in own
        if m.status is MeetingStatus.CANCELLED
        and m.updated_at is not None
        and m.updated_at >= since
    )
    ratings = tuple(
        f.rating
        for f in sorted(feedback, key=lambda f: f.submitted_at)
        if f.relationship_id == relationship.id
    )
    due = [
        i
        for i in action_items
        if i.relationship_id == relationship.id
        and i.status is not ActionItemStatus.DROPPED
        and since <= i.due_at <= now
    ]
    return RelationshipFacts(
        relationship_id=relationship.id,
        program_id=relationship.program_id,
        cadence_days=relationship.cadence_days,
        started_at=datetime.combine(relationship.started_on, time(0), tzinfo=UTC),
        last_held_at=max(held, default=None),
        next_scheduled_at=min(upcoming, default=None),
        recent_cancellations=cancellations,
        ratings=ratings,
        commitments_due=len(due),
        commitments_kept=sum(1 for i in due if i.status is ActionItemStatus.DONE),
    )


def assess_health(
    facts: RelationshipFacts, now: datetime, thresholds: HealthThresholds = DEFAULT_THRESHOLDS
) -> Health:
    """Classify a relationship as healthy, at_risk or stalled, with every reason found."""
    now = require_utc(now, "now")
    t = thresholds
    cadence = timedelta(days=facts.cadence_days)
    silence = now - (facts.last_held_at or facts.started_at)
    has_upcoming = facts.next_scheduled_at is not None and facts.next_scheduled_at > now
    reasons: list[HealthReason] = []
    if silence > cadence * t.cadence_grace_ratio:
        reasons.append(HealthReason.CADENCE_MISSED)
    stalled = silence > cadence * t.stalled_ratio and not has_upcoming
    if stalled:
        reasons.append(HealthReason.LONG_SILENCE)
    if facts.recent_cancellations > t.max_cancellations:
        reasons.append(HealthReason.FREQUENT_CANCELLATIONS)
    recent = facts.ratings[-t.rating_window :]
    if len(recent) >= 2 and sum(recent) / len(recent) < t.low_rating:
        reasons.append(HealthReason.LOW_RATINGS)
    if len(facts.ratings) >= 4:
        last, before = facts.ratings[-2:], facts.ratings[-4:-2]
        if sum(before) / 2 - sum(last) / 2 >= t.declining_drop:
            reasons.append(HealthReason.FEEDBACK_DECLINING)
    if (
        facts.commitments_due >= t.min_commitments
        and facts.commitments_kept / facts.commitments_due < t.min_kept_ratio
    ):
        reasons.append(HealthReason.COMMITMENTS_SLIPPING)
    if stalled:
        return Health(HealthState.STALLED, tuple(reasons))
    return Health(HealthState.AT_RISK if reasons else HealthState.HEALTHY, tuple(reasons))


def health_changed(previous: Health | None, current: Health) -> bool:
    """True when the state moved; reasons alone changing is not announced.

    A relationship never assessed (`previous=None`) counts as healthy.
    """
    before = previous.state if previous is not None else HealthState.HEALTHY
    return before is not current.state


def health_changed_event(
    facts: RelationshipFacts, previous: Health | None, current: Health, now: datetime
) -> DomainEvent | None:
    """The `health.changed` event to store, or None when the state did not change."""
    if not health_changed(previous, current):
        return None
    return DomainEvent(
        type=EventType.HEALTH_CHANGED,
        subject_id=facts.relationship_id,
        occurred_at=require_utc(now, "now"),
        data={
            "relationship_id": facts.relationship_id,
            "program_id": facts.program_id,
            "previous_state": str(previous.state if previous else HealthState.HEALTHY),
            "state": str(current.state),
            "reasons": tuple(str(r) for r in current.reasons),
        },
    )
