"""The synthetic organisation the program-cycle driver runs: half junior mentors who
know generative AI, half senior mentees who want it, spread over departments and zones."""

from __future__ import annotations

from typing import Any

ZONES = ("Europe/London", "Europe/Berlin", "Europe/Paris")


def organisation(people: int, tag: str) -> list[dict[str, Any]]:
    """Half junior mentors who know generative AI, half senior mentees who want it."""
    rows = []
    for i in range(people):
        mentor = i % 2 == 0
        rows.append(
            {
                "person_id": f"{tag}-{i:05d}",
                "display_name": f"Person {tag} {i}",
                "email": f"{tag}.{i}@example.org",
                "level": 2 + i % 2 if mentor else 8 + i % 3,
                "department": ("Engineering", "Sales", "Finance", "People")[i % 4],
                "time_zone": ZONES[i % len(ZONES)],
                "languages": ["en"],
                "hire_date": "2024-03-01" if mentor else "2012-09-01",
                "skills": [{"name": "generative-ai", "proficiency": 4}] if mentor else [],
                "interests": ["generative-ai"],
            }
        )
    return rows
