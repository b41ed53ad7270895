"""Canned answers of the APIs, as their published schemas shape them."""

from __future__ import annotations

PROGRAM = {
    "id": "prg-1",
    "name": "AI for leaders",
    "kind": "reverse_mentoring",
    "matching_mode": "curated",
    "status": "open",
    "description": "",
    "rules": {
        "weights": {
            "skills": 3,
            "goals": 2,
            "cross_department": 1,
            "diversity": 1,
            "availability": 1,
        },
        "require_different_department": False,
        "require_different_business_unit": False,
        "require_shared_language": True,
        "min_overlap_hours": 2,
    },
}
EXPLANATION = {
    "total_score": 2.9,
    "contributions": {
        "skills": {"weight": 3, "raw": 0.8, "value": 2.4},
        "availability": {"weight": 1, "raw": 0.5, "value": 0.5},
    },
    "constraints_satisfied": ["shared_language"],
}
ROUND = {
    "id": "rnd-1",
    "program_id": "prg-1",
    "status": "draft",
    "proposal_count": 1,
    "total_score": 2.9,
    "unmatched": [
        {
            "person_id": "s-london",
            "role": "mentee",
            "reason": "no_feasible_partner",
            "constraint": "overlap_hours",
            "detail": "no mentor shares 2 working hours",
        }
    ],
}
PROPOSAL = {
    "index": 0,
    "locked": False,
    "explanation": EXPLANATION,
    "members": [
        {"person_id": "m-tokyo", "role": "mentor"},
        {"person_id": "s-ny", "role": "mentee"},
    ],
}

RELATIONSHIP = {
    "id": "rel-m-1",
    "kind": "reverse_mentoring",
    "status": "active",
    "members": [
        {"person_id": "m-tokyo", "role": "mentor", "time_zone": "Asia/Tokyo"},
        {"person_id": "s-ny", "role": "mentee", "time_zone": "America/New_York"},
    ],
    "health": {"state": "healthy", "reasons": []},
}

MATCH = {
    "id": "m-1",
    "program_id": "prg-1",
    "kind": "reverse_mentoring",
    "state": "proposed",
    "members": PROPOSAL["members"],
    "explanation": EXPLANATION,
    "responses": {"m-tokyo": "pending", "s-ny": "pending"},
    "note": "",
}
