"""Outgoing events: the matcher's outcomes as the contract payloads it publishes
(``mentoring.programs.v1``, ``mentoring.enrollments.v1``, ``mentoring.matches.v1``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from services.matcher.schemas import ProgramCreate
from shared.contracts import matching as contract
from shared.mongo import Document

#: A program without an end date plans its matches for about half a year.
DEFAULT_MATCH_DAYS = 182


def explanation_contract(doc: Mapping[str, Any]) -> contract.Explanation:
    return contract.Explanation(
        total_score=doc["total_score"],
        contributions={k: v["value"] for k, v in doc["contributions"].items()},
        constraints_satisfied=tuple(doc["constraints_satisfied"]),
    )


def members_contract(doc: Mapping[str, Any]) -> tuple[contract.Member, ...]:
    return tuple(
        contract.Member(person_id=m["person_id"], role=contract.MemberRole(m["role"]))
        for m in doc["members"]
    )


def program_opened(program_id: str, request: ProgramCreate) -> contract.ProgramOpened:
    return contract.ProgramOpened(**_program_facts(program_id, request))


def program_updated(program_id: str, program: ProgramCreate) -> contract.ProgramUpdated:
    """The whole program as it is after a change (a snapshot, as ``ProgramOpened``)."""
    return contract.ProgramUpdated(**_program_facts(program_id, program))


#: What the program's events carry: the contract's fields (name, rules... stay inside).
PROGRAM_FACTS = frozenset(contract.ProgramOpened.model_fields) - {"program_id"}


def _program_facts(program_id: str, request: ProgramCreate) -> dict[str, Any]:
    return {"program_id": program_id, **request.model_dump(include=set(PROGRAM_FACTS))}


def match_proposed(doc: Document) -> contract.MatchProposed:
    """``mentoring.match.proposed`` of a new match document."""
    return contract.MatchProposed(
        match_id=doc["_id"],
        program_id=doc["program_id"],
        round_id=doc["round_id"],
        kind=doc["kind"],
        members=members_contract(doc),
        explanation=explanation_contract(doc["explanation"]),
        expires_at=doc["expires_at"],
    )


def match_activated(
    doc: Document, program: Document, now: datetime, *, assigned: bool = False
) -> contract.MatchActivated:
    """``mentoring.match.activated``: accepted by its members, or ``assigned`` on publish."""
    starts_on = now.date()
    ends_on = program.get("ends_on")
    planned_end = (
        date.fromisoformat(ends_on) if ends_on else starts_on + timedelta(days=DEFAULT_MATCH_DAYS)
    )
    return contract.MatchActivated(
        match_id=doc["_id"],
        program_id=doc["program_id"],
        kind=doc["kind"],
        members=members_contract(doc),
        explanation=explanation_contract(doc["explanation"]),
        starts_on=starts_on,
        planned_end=max(planned_end, starts_on + timedelta(days=1)),
        cadence_days=int(program.get("cadence_days", 14)),
        assigned=assigned,
    )
