"""Program-level figures for HR, per ISO week or per month, with small-cell suppression.

Every cell records how many distinct people it was computed over; a cell over fewer
than `MIN_PEOPLE_PER_CELL` (5) people is published as value None with
`suppressed: true`. In the health distribution, a single suppressed state also
suppresses the next smallest one, so it cannot be recovered by subtraction.
Only numbers leave this module: no names, notes, feedback or journal text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from shared.local_time import iso_week_key

from .action_items import ActionItem, ActionItemStatus
from .errors import InvalidInput
from .feedback import Feedback
from .health import HealthState
from .journal import JournalEntry
from .meetings import Meeting, MeetingStatus
from .relationships import Relationship, RelationshipStatus

__all__ = [
    "MIN_PEOPLE_PER_CELL",
    "Period",
    "Cell",
    "cell",
    "require_cell_minimum",
    "PeriodAggregates",
    "ProgramAggregates",
    "program_aggregates",
]

MIN_PEOPLE_PER_CELL = 5


class Period(StrEnum):
    ISO_WEEK = "iso_week"
    MONTH = "month"


@dataclass(frozen=True)
class Cell:
    value: float | int | None
    suppressed: bool

    def to_dict(self) -> dict[str, float | int | bool | None]:
        return {"value": self.value, "suppressed": self.suppressed}


def require_cell_minimum(min_people: int) -> None:
    """A report may ask for larger cells than ``MIN_PEOPLE_PER_CELL``, never smaller."""
    if min_people < MIN_PEOPLE_PER_CELL:
        raise InvalidInput(f"cells cannot cover fewer than {MIN_PEOPLE_PER_CELL} people")


def cell(value: float | int, people: Iterable[str], minimum: int) -> Cell:
    if len(set(people)) < minimum:
        return Cell(None, True)
    return Cell(value, False)


@dataclass(frozen=True)
class PeriodAggregates:
    label: str  # "2026-W09" or "2026-03"
    starts_on: date
    ends_on: date  # inclusive
    active_relationships: Cell
    meetings_planned: Cell
    meetings_held: Cell
    average_rating: Cell
    commitments_completed: Cell
    journal_entries: Cell

    def to_dict(self) -> dict[str, object]:
        cells = (
            "active_relationships",
            "meetings_planned",
            "meetings_held",
            "average_rating",
            "commitments_completed",
            "journal_entries",
        )
        out: dict[str, object] = {
            "period": self.label,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
        }
        out.update({name: getattr(self, name).to_dict() for name in cells})
        return out


@dataclass(frozen=True)
class ProgramAggregates:
    program_id: str
    period: Period
    periods: tuple[PeriodAggregates, ...]
    health_distribution: Mapping[str, Cell] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "program_id": self.program_id,
            "period": str(self.period),
            "periods": [p.to_dict() for p in self.periods],
            "health_distribution": {k: c.to_dict() for k, c in self.health_distribution.items()},
        }


def _periods(kind: Period, first: date, last: date) -> list[tuple[str, date, date]]:
    out: list[tuple[str, date, date]] = []
    if kind is Period.ISO_WEEK:
        start = first - timedelta(days=first.weekday())
        while start <= last:
            out.append((iso_week_key(start), start, start + timedelta(days=6)))
            start += timedelta(weeks=1)
        return out
    start = first.replace(day=1)
    while start <= last:
        following = (start + timedelta(days=32)).replace(day=1)
        out.append((f"{start.year}-{start.month:02d}", start, following - timedelta(days=1)))
        start = following
    return out


def _active_during(rel: Relationship, start: date, end: date) -> bool:
    ended = rel.ended_on if rel.status is RelationshipStatus.ENDED else None
    return rel.started_on <= end and (ended is None or ended >= start)


def program_aggregates(
    *,
    program_id: str,
    relationships: Sequence[Relationship],
    meetings: Sequence[Meeting],
    feedback: Sequence[Feedback],
    action_items: Sequence[ActionItem],
    journal_entries: Sequence[JournalEntry],
    health: Mapping[str, HealthState],
    period: Period,
    first_day: date,
    last_day: date,
    min_people: int = MIN_PEOPLE_PER_CELL,
) -> ProgramAggregates:
    """Compute the program's figures for each period touching first_day..last_day.

    `health` maps relationship id to its current state (a snapshot, not per period).
    Meetings count by their UTC start date, ratings by submission date, commitments
    by completion date, journal entries by their written date.
    """
    if last_day < first_day:
        raise InvalidInput("the reporting range ends before it starts")
    require_cell_minimum(min_people)
    rels = [r for r in relationships if r.program_id == program_id]
    rel_ids = {r.id for r in rels}
    mts = [m for m in meetings if m.relationship_id in rel_ids]
    fbs = [f for f in feedback if f.relationship_id in rel_ids]
    items = [i for i in action_items if i.relationship_id in rel_ids]
    notes = [e for e in journal_entries if e.relationship_id in rel_ids]
    facts = _Facts(rels, mts, fbs, items, notes)
    rows = [
        _period_row(facts, label, start, end, min_people)
        for label, start, end in _periods(period, first_day, last_day)
    ]
    return ProgramAggregates(
        program_id=program_id,
        period=period,
        periods=tuple(rows),
        health_distribution=_health_distribution(rels, health, min_people),
    )


class _Facts(NamedTuple):
    """One program's relationships and what happened in them."""

    relationships: list[Relationship]
    meetings: list[Meeting]
    feedback: list[Feedback]
    action_items: list[ActionItem]
    journal_entries: list[JournalEntry]


def _period_row(
    facts: _Facts, label: str, start: date, end: date, min_people: int
) -> PeriodAggregates:
    active = [r for r in facts.relationships if _active_during(r, start, end)]
    planned = [m for m in facts.meetings if start <= m.starts_at.date() <= end]
    held = [m for m in planned if m.status is MeetingStatus.COMPLETED]
    rated = [f for f in facts.feedback if start <= f.submitted_at.date() <= end]
    done = [
        i
        for i in facts.action_items
        if i.status is ActionItemStatus.DONE
        and i.completed_at is not None
        and start <= i.completed_at.date() <= end
    ]
    written = [e for e in facts.journal_entries if start <= e.written_on <= end]
    average = round(sum(f.rating for f in rated) / len(rated), 2) if rated else 0.0
    return PeriodAggregates(
        label=label,
        starts_on=start,
        ends_on=end,
        active_relationships=cell(
            len(active), (p for r in active for p in r.member_ids), min_people
        ),
        meetings_planned=cell(
            len(planned), (p for m in planned for p in m.participant_ids), min_people
        ),
        meetings_held=cell(len(held), (p for m in held for p in m.attended_ids), min_people),
        average_rating=cell(average, (f.author_id for f in rated), min_people),
        commitments_completed=cell(len(done), (i.owner_id for i in done), min_people),
        journal_entries=cell(len(written), (e.author_id for e in written), min_people),
    )


def _health_distribution(
    rels: Sequence[Relationship], health: Mapping[str, HealthState], min_people: int
) -> dict[str, Cell]:
    counts: dict[HealthState, int] = {}
    people: dict[HealthState, set[str]] = {}
    for rel in rels:
        state = health.get(rel.id)
        if rel.status is not RelationshipStatus.ACTIVE or state is None:
            continue
        counts[state] = counts.get(state, 0) + 1
        people.setdefault(state, set()).update(rel.member_ids)
    cells = {s: cell(counts.get(s, 0), people.get(s, set()), min_people) for s in HealthState}
    suppressed = [s for s, c in cells.items() if c.suppressed]
    if len(suppressed) == 1:
        shown = [s for s, c in cells.items() if not c.suppressed]
        smallest = min(shown, key=lambda s: counts.get(s, 0))
        cells[smallest] = Cell(None, True)
    return {str(s): c for s, c in cells.items()}
