"""Stored documents to the matcher's domain objects and back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from services.matcher.domain.circles import CircleResult
from services.matcher.domain.explain import MatchExplanation
from services.matcher.domain.lifecycle import Match, MatchState, Response
from services.matcher.domain.people import Enrollment, Person, Role
from services.matcher.domain.results import MatchingResult
from services.matcher.domain.rules import ProgramKind, ProgramRules, Weights, default_rules
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
    configured = {k: v for k, v in (program.get("rules") or {}).items() if v is not None}
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


def new_match_doc(
    match: Match,
    *,
    program_id: str,
    round_id: str | None,
    members: list[dict[str, str]],
    explanation: Document,
    created_at: datetime,
    expires_at: datetime | None,
) -> Document:
    """A new match (``Match.propose``, maybe answered, or ``Match.assign``: no expiry) as
    stored; the store sets ``version``."""
    return {
        "_id": match.match_id,
        "program_id": program_id,
        "round_id": round_id,
        "kind": match.kind.value,
        "members": members,
        "member_ids": list(match.member_ids),
        "explanation": explanation,
        "state": match.state.value,
        "responses": {k: v.value for k, v in match.responses.items()},
        "quorum": match.quorum,
        "created_at": created_at,
        "expires_at": expires_at,
    }


def changed_match_doc(doc: Document, after: Match, *, now: datetime) -> Document:
    """``doc`` carrying the domain's new state of the match (a leaver's membership too)."""
    return {
        **doc,
        "state": after.state.value,
        "responses": {k: v.value for k, v in after.responses.items()},
        "member_ids": list(after.member_ids),
        "members": [m for m in doc["members"] if m["person_id"] in after.member_ids],
        "note": after.note,
        "updated_at": now,
    }


def proposal_docs(round_id: str, result: MatchingResult | CircleResult) -> list[Document]:
    """A solved draft's proposals, one per pair or circle (``store_proposals`` pages them)."""
    out: list[Document] = []
    if isinstance(result, CircleResult):
        for i, circle in enumerate(result.circles):
            members = [{"person_id": p, "role": "peer"} for p in circle.member_ids]
            out.append(_proposal(round_id, i, members, explanation_doc(circle.explanation), False))
        return out
    for i, pair in enumerate(result.pairs):
        members = [
            {"person_id": p, "role": r.value}
            for p, r in zip(pair.person_ids, pair.roles, strict=True)
        ]
        out.append(_proposal(round_id, i, members, explanation_doc(pair.explanation), pair.locked))
    return out


def _proposal(
    round_id: str, index: int, members: list[dict[str, str]], explanation: Document, locked: bool
) -> Document:
    return {
        "_id": f"{round_id}:{index:06d}",
        "round_id": round_id,
        "index": index,
        "members": members,
        "member_ids": [m["person_id"] for m in members],
        "explanation": explanation,
        "locked": locked,
    }


def unmatched_docs(result: MatchingResult | CircleResult) -> list[Document]:
    """Who a draft left unmatched and why, as kept on the round document."""
    return [
        {
            "person_id": u.person_id,
            "role": u.role.value,
            "reason": u.reason.value,
            "constraint": u.constraint.value if u.constraint else None,
            "detail": u.detail,
        }
        for u in result.unmatched
    ]
