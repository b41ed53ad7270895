"""The closing survey: every member of an ended relationship answers it once.

Ratings (1-5) and outcome questions are counted in HR aggregates; the free text is
private to its author: never in an event, never in an aggregate, never shown to the
other members or to admins. The event names who answered, nothing of the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from shared.local_time import require_utc

from .errors import IllegalTransition
from .events import EventType, Outcome
from .ratings import rating
from .relationships import Relationship, RelationshipStatus
from .reports import MIN_PEOPLE_PER_CELL, cell, require_cell_minimum

__all__ = [
    "GoalsMet",
    "SurveyAnswer",
    "SurveyOutcomes",
    "answer_survey",
    "survey_outcomes",
    "survey_report",
]

NOT_ENDED = "the relationship has not ended"
ALREADY_ANSWERED = "already answered"


class GoalsMet(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


@dataclass(frozen=True)
class SurveyAnswer:
    """One member's closing survey of one relationship."""

    relationship_id: str
    program_id: str
    person_id: str
    overall: int  # 1..5: the relationship as a whole
    partner_helpfulness: int  # 1..5: the mentor, mentee, partner or circle
    goals_met: GoalsMet
    would_recommend: bool
    would_continue: bool
    answered_at: datetime
    private_note: str = ""  # the author's alone


def answer_survey(
    rel: Relationship,
    existing: SurveyAnswer | None,
    *,
    person_id: str,
    overall: int,
    partner_helpfulness: int,
    goals_met: GoalsMet,
    would_recommend: bool,
    would_continue: bool,
    private_note: str = "",
    now: datetime,
) -> Outcome[SurveyAnswer]:
    """A member's answer to the closing survey of their ended relationship (once)."""
    now = require_utc(now, "now")
    rel.member(person_id)
    if rel.status is not RelationshipStatus.ENDED:
        raise IllegalTransition(NOT_ENDED)
    if existing is not None:
        raise IllegalTransition(ALREADY_ANSWERED)
    answer = SurveyAnswer(
        relationship_id=rel.id,
        program_id=rel.program_id,
        person_id=person_id,
        overall=rating(overall, "overall"),
        partner_helpfulness=rating(partner_helpfulness, "partner_helpfulness"),
        goals_met=goals_met,
        would_recommend=would_recommend,
        would_continue=would_continue,
        answered_at=now,
        private_note=private_note,
    )
    event = rel.event(EventType.SURVEY_ANSWERED, now, person_id=person_id)
    return Outcome(answer, (event,))


@dataclass(frozen=True)
class SurveyOutcomes:
    """What the answers say in numbers (no text): for the HR report to suppress."""

    answers: int
    people: frozenset[str]
    average_overall: float
    average_partner_helpfulness: float
    goals_met_share: dict[str, float]
    would_recommend_share: float
    would_continue_share: float


def _share(count: int, total: int) -> float:
    return round(count / total, 2) if total else 0.0


def survey_outcomes(answers: Sequence[SurveyAnswer]) -> SurveyOutcomes:
    """Counts, averages and shares of a program's answers (the free text is not read)."""
    total = len(answers)

    def average(values: list[int]) -> float:
        return round(sum(values) / total, 2) if total else 0.0

    return SurveyOutcomes(
        answers=total,
        people=frozenset(a.person_id for a in answers),
        average_overall=average([a.overall for a in answers]),
        average_partner_helpfulness=average([a.partner_helpfulness for a in answers]),
        goals_met_share={
            g.value: _share(sum(1 for a in answers if a.goals_met is g), total) for g in GoalsMet
        },
        would_recommend_share=_share(sum(1 for a in answers if a.would_recommend), total),
        would_continue_share=_share(sum(1 for a in answers if a.would_continue), total),
    )


def survey_report(
    answers: Sequence[SurveyAnswer],
    *,
    first_day: date,
    last_day: date,
    min_people: int = MIN_PEOPLE_PER_CELL,
) -> dict[str, object]:
    """The survey cells of the HR report: the answers given first_day..last_day, every
    cell computed over all who answered (fewer than ``min_people``: all suppressed)."""
    require_cell_minimum(min_people)
    given = [a for a in answers if first_day <= a.answered_at.date() <= last_day]
    o = survey_outcomes(given)

    def shown(value: float | int) -> dict[str, float | int | bool | None]:
        return cell(value, o.people, min_people).to_dict()

    return {
        "answers": shown(o.answers),
        "average_overall": shown(o.average_overall),
        "average_partner_helpfulness": shown(o.average_partner_helpfulness),
        "goals_met": {name: shown(share) for name, share in o.goals_met_share.items()},
        "would_recommend": shown(o.would_recommend_share),
        "would_continue": shown(o.would_continue_share),
    }
