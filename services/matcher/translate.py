"""Translation between stored documents, the matcher domain and the event contracts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.matcher.domain import (
    Enrollment,
    Match,
    MatchExplanation,
    MatchState,
    Person,
    Role,
)
from services.matcher.domain.lifecycle import Response
from services.matcher.domain.rules import ProgramKind, ProgramRules, Weights, default_rules
from shared.contracts import matching as contract
from shared.mongo import Document

UNKNOWN_HIRE_DATE = date(2000, 1, 1)


def person_from_doc(doc: Mapping[str, Any]) -> Person:
    hire = doc.get("hire_date")
    return Person(
        id=doc["_id"],
        level=int(doc.get("level", 0)),
        department=doc.get("department", ""),
        business_unit=doc.get("business_unit", ""),
        location=doc.get("location", ""),
        timezone=doc.get("time_zone", "UTC"),
        languages=frozenset(doc.get("languages", ())),
        manager_id=doc.get("manager_id"),
        hire_date=date.fromisoformat(hire) if hire else UNKNOWN_HIRE_DATE,
        skills={s["name"]: int(s["proficiency"]) for s in doc.get("skills", ())},
        interests=frozenset(doc.get("interests", ())),
    )


def enrollment_from_doc(doc: Mapping[str, Any], *, capacity: int | None = None) -> Enrollment:
    return Enrollment(
        person_id=doc["person_id"],
        role=Role(doc["role"]),
        skills_wanted=frozenset(doc.get("skills_wanted", ())),
        goals=frozenset(doc.get("goals", ())),
        capacity=capacity if capacity is not None else int(doc.get("capacity", 1)),
        work_start_hour=float(doc.get("work_start_hour", 9.0)),
        work_end_hour=float(doc.get("work_end_hour", 17.0)),
    )


def rules_from_program(program: Mapping[str, Any], *, today: date) -> ProgramRules:
    configured = dict(program.get("rules") or {})
    weights = Weights(**configured.pop("weights", {}))
    return default_rules(
        ProgramKind(program["kind"]), weights=weights, reference_date=today, **configured
    )


def match_from_doc(doc: Mapping[str, Any]) -> Match:
    return Match(
        match_id=doc["_id"],
        kind=ProgramKind(doc["kind"]),
        member_ids=tuple(m["person_id"] for m in doc["members"]),
        state=MatchState(doc["state"]),
        responses={k: Response(v) for k, v in doc["responses"].items()},
        quorum=float(doc.get("quorum", 1.0)),
        note=doc.get("note", ""),
    )


def explanation_doc(explanation: MatchExplanation) -> Document:
    return {
        "total_score": round(explanation.total, 6),
        "contributions": {
            c.criterion.value: {"weight": c.weight, "raw": c.raw, "value": round(c.value, 6)}
            for c in explanation.contributions
        },
        "constraints_satisfied": [c.value for c in explanation.constraints_satisfied],
    }


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
