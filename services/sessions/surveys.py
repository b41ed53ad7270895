"""The closing survey of an ended relationship: each member answers once; the answer
is theirs to read back (with its private note); HR sees counts and shares only."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.sessions.deps import caller_of, members_relationship
from services.sessions.domain.errors import IllegalTransition
from services.sessions.domain.surveys import (
    ALREADY_ANSWERED,
    SurveyAnswer,
    answer_survey,
    survey_report,
)
from services.sessions.mapping import from_doc, key_of, stored
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship
from services.sessions.store import SURVEYS
from services.sessions.unit_of_work import Work
from shared.mongo import NotFound


async def answer(uow: Work, *, relationship_id: str, **answers: Any) -> SurveyAnswer:
    """The caller's answer for their ended relationship (409 before the end, 409 twice):
    ``answers`` holds what ``answer_survey`` takes (the ratings, yes/no answers, note)."""
    person_id = caller_of(uow).subject
    rel = load_relationship(await members_relationship(uow, relationship_id))
    key = key_of(relationship_id, person_id)
    existing = await uow.store.surveys.get(key)
    outcome = answer_survey(
        rel,
        from_doc(SurveyAnswer, existing) if existing else None,
        person_id=person_id,
        now=uow.now,
        **answers,
    )
    doc = stage(uow, stored(outcome.state, _id=key), outcome.events)
    doc = uow.audit(doc, "survey.answered", target=f"relationship:{relationship_id}")
    _, new = await uow.store.insert_new(uow.store.surveys, doc)
    if not new:  # a concurrent request answered first
        raise IllegalTransition(ALREADY_ANSWERED)
    return outcome.state


async def own(uow: Work, *, relationship_id: str) -> SurveyAnswer:
    """The caller's own answer (404 when they have none, or are no member)."""
    person_id = caller_of(uow).subject
    await members_relationship(uow, relationship_id)
    doc = await uow.store.surveys.get(key_of(relationship_id, person_id))
    if doc is None:
        raise NotFound(f"survey answer of relationship {relationship_id}")
    return from_doc(SurveyAnswer, doc)


async def report(
    uow: Work, *, relationship_ids: list[str], first_day: date, last_day: date
) -> dict[str, object]:
    """The survey cells of a program's HR report (the private notes are never read)."""
    docs = await uow.store.to_count(SURVEYS, relationship_ids, hidden=["private_note"])
    answers = [from_doc(SurveyAnswer, {**d, "private_note": ""}) for d in docs]
    return survey_report(answers, first_day=first_day, last_day=last_day)
