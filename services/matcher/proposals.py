"""A solved draft as stored: one proposal document per pair or circle, and the
unmatched people with their reasons (documents of ``round_proposals`` and ``rounds``)."""

from __future__ import annotations

from services.matcher.domain.circles import CircleResult
from services.matcher.domain.results import MatchingResult
from services.matcher.mapping import explanation_doc
from shared.mongo import Document


def proposal_docs(round_id: str, result: MatchingResult | CircleResult) -> list[Document]:
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
