"""The junior's private pulse check in reverse mentoring.

In reverse mentoring the junior person mentors the senior one: the matcher pairs them
so (its rule ``mentor_junior_to_mentee``), and sessions knows it from the members'
roles, so the junior member is the relationship's ``mentor``. After the first and the
third meeting held, the junior is asked how safe the mentoring feels. The answer is
theirs alone: never shown to the senior member or to admins, never in an event; a low
one raises a flag that names neither the answer nor who gave it, and HR sees the
answers only as counts and means over at least ``MIN_PEOPLE_PER_CELL`` people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from shared.local_time import require_utc

from .errors import IllegalTransition
from .events import EventType, Outcome, relationship_event
from .ratings import rating
from .relationships import MemberRole, Relationship, RelationshipKind
from .reports import MIN_PEOPLE_PER_CELL, cell, require_cell_minimum

__all__ = [
    "PULSE_AFTER_MEETINGS",
    "LOW_RATING",
    "PulseStatus",
    "PulseAnswer",
    "Pulse",
    "junior_of",
    "pulse_id_for",
    "pulses_due",
    "is_low",
    "answer_pulse",
    "pulse_report",
]

#: The meetings held after which the junior member is asked: the first and the third.
PULSE_AFTER_MEETINGS = (1, 3)
#: A comfort or psychological-safety rating at or below this (of 1-5) is low: with
#: ``would_continue`` false, such an answer flags the relationship to its admins.
LOW_RATING = 2
ALREADY_ANSWERED = "this pulse check has been answered"


class PulseStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


@dataclass(frozen=True)
class PulseAnswer:
    comfort: int  # 1..5
    psychological_safety: int  # 1..5
    would_continue: bool
    note: str = ""  # the junior's alone: never in an event, an aggregate or a message


@dataclass(frozen=True)
class Pulse:
    """One pulse check of one junior member, after the ``after_meeting``-th meeting held."""

    id: str
    relationship_id: str
    program_id: str
    person_id: str
    after_meeting: int
    requested_at: datetime
    status: PulseStatus = PulseStatus.OPEN
    answer: PulseAnswer | None = None
    answered_at: datetime | None = None


def junior_of(rel: Relationship) -> str | None:
    """The junior member of a reverse-mentoring relationship (its mentor); None for the
    other kinds, where no member is junior to another by design."""
    if rel.kind is not RelationshipKind.REVERSE_MENTORING:
        return None
    mentors = [m.person_id for m in rel.members if m.role is MemberRole.MENTOR]
    return mentors[0] if len(mentors) == 1 else None


def pulse_id_for(relationship_id: str, after_meeting: int) -> str:
    """Deterministic, so a replay or a retry never asks twice."""
    return f"pulse-{relationship_id}-{after_meeting}"


def pulses_due(
    rel: Relationship, *, meetings_held: int, now: datetime
) -> tuple[Outcome[Pulse], ...]:
    """The pulse checks a relationship owes its junior member once ``meetings_held``
    meetings were held: one per checkpoint reached. A checkpoint asked before has the same
    id, so the store keeps the first; one passed unseen (two meetings completed at once)
    is still asked."""
    now = require_utc(now, "now")
    junior = junior_of(rel)
    if junior is None:
        return ()
    due = []
    for after in PULSE_AFTER_MEETINGS:
        if meetings_held < after:
            continue
        pulse = Pulse(
            id=pulse_id_for(rel.id, after),
            relationship_id=rel.id,
            program_id=rel.program_id,
            person_id=junior,
            after_meeting=after,
            requested_at=now,
        )
        event = rel.event(
            EventType.PULSE_REQUESTED,
            now,
            pulse_id=pulse.id,
            person_id=junior,
            after_meeting=after,
        )
        due.append(Outcome(pulse, (event,)))
    return tuple(due)


def is_low(answer: PulseAnswer) -> bool:
    """Whether an answer asks for an admin's look (``LOW_RATING``, or would not continue)."""
    return (
        answer.comfort <= LOW_RATING
        or answer.psychological_safety <= LOW_RATING
        or not answer.would_continue
    )


def answer_pulse(pulse: Pulse, answer: PulseAnswer, *, now: datetime) -> Outcome[Pulse]:
    """The junior's answer, once (409 a second time). A low answer flags the relationship:
    the event names the relationship and program only."""
    now = require_utc(now, "now")
    if pulse.status is PulseStatus.ANSWERED:
        raise IllegalTransition(ALREADY_ANSWERED)
    rating(answer.comfort, "comfort")
    rating(answer.psychological_safety, "psychological_safety")
    answered = replace(pulse, status=PulseStatus.ANSWERED, answer=answer, answered_at=now)
    if not is_low(answer):
        return Outcome(answered)
    flag = relationship_event(EventType.PULSE_FLAGGED, pulse.relationship_id, pulse.program_id, now)
    return Outcome(answered, (flag,))


def pulse_report(
    pulses: Sequence[Pulse],
    *,
    first_day: date,
    last_day: date,
    min_people: int = MIN_PEOPLE_PER_CELL,
) -> dict[str, object]:
    """The pulse cells of the HR report: per question, how many answered first_day..last_day
    and the mean (``would_continue``: the share answering yes), every cell over all who
    answered (fewer than ``min_people``: all suppressed). The notes are not read."""
    require_cell_minimum(min_people)
    given = [
        p
        for p in pulses
        if p.answer is not None
        and p.answered_at is not None
        and first_day <= p.answered_at.date() <= last_day
    ]
    answers = [p.answer for p in given if p.answer is not None]
    people = {p.person_id for p in given}

    def question(values: list[int]) -> dict[str, object]:
        mean = round(sum(values) / len(values), 2) if values else 0.0
        return {
            "count": cell(len(values), people, min_people).to_dict(),
            "mean": cell(mean, people, min_people).to_dict(),
        }

    return {
        "answers": cell(len(answers), people, min_people).to_dict(),
        "comfort": question([a.comfort for a in answers]),
        "psychological_safety": question([a.psychological_safety for a in answers]),
        "would_continue": question([int(a.would_continue) for a in answers]),
    }
