"""Synthetic organisations for the matcher's tests and benchmarks (deterministic for a seed).

Levels follow a pyramid, each department has its own manager tree, skills come
from a catalogue with Zipf-like popularity, and people spread over real IANA
time zones with a local language next to English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from services.matcher.domain.people import Enrollment, Person, Role

__all__ = ["SyntheticOrg", "generate_org", "peer_enrollments", "reverse_mentoring_enrollments"]

SITES: tuple[tuple[str, str, str], ...] = (
    ("London", "Europe/London", "en"),
    ("Berlin", "Europe/Berlin", "de"),
    ("Paris", "Europe/Paris", "fr"),
    ("New York", "America/New_York", "en"),
    ("Chicago", "America/Chicago", "en"),
    ("San Francisco", "America/Los_Angeles", "en"),
    ("Sao Paulo", "America/Sao_Paulo", "pt"),
    ("Bangalore", "Asia/Kolkata", "hi"),
    ("Singapore", "Asia/Singapore", "zh"),
    ("Tokyo", "Asia/Tokyo", "ja"),
    ("Sydney", "Australia/Sydney", "en"),
)
SITE_WEIGHTS = np.array([14, 10, 8, 16, 8, 10, 5, 12, 6, 5, 6], dtype=np.float64)
TOPICS = tuple(f"topic-{i:02d}" for i in range(40))


@dataclass(frozen=True, slots=True)
class SyntheticOrg:
    people: list[Person]
    skills: tuple[str, ...]


def _zipf_probabilities(n: int, exponent: float) -> npt.NDArray[np.float64]:
    p = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** exponent
    return np.asarray(p / p.sum(), dtype=np.float64)


def generate_org(
    n_people: int,
    *,
    seed: int = 0,
    n_departments: int = 24,
    n_business_units: int = 6,
    n_skills: int = 300,
    zipf_exponent: float = 1.05,
    max_level: int = 10,
) -> SyntheticOrg:
    """An organisation of ``n_people`` with a manager forest per department. O(n)."""
    rng = np.random.default_rng(seed)
    level = np.minimum(rng.geometric(0.28, n_people), max_level).astype(np.int64)
    dept = rng.integers(0, n_departments, n_people)
    bu = dept % n_business_units
    site = rng.choice(len(SITES), size=n_people, p=SITE_WEIGHTS / SITE_WEIGHTS.sum())
    manager = np.full(n_people, -1, dtype=np.int64)
    for d in range(n_departments):
        members = np.nonzero(dept == d)[0]
        for lvl in range(1, max_level):
            here = members[level[members] == lvl]
            above = members[(level[members] > lvl) & (level[members] <= lvl + 2)]
            if len(here) and len(above):
                manager[here] = above[rng.integers(0, len(above), len(here))]
    skill_names = tuple(f"skill-{i:03d}" for i in range(n_skills))
    p_skill = _zipf_probabilities(n_skills, zipf_exponent)
    n_owned = rng.integers(3, 9, n_people)
    owned = rng.choice(n_skills, size=(n_people, 8), p=p_skill)
    prof = rng.integers(1, 6, size=(n_people, 8))
    interests = rng.integers(0, len(TOPICS), size=(n_people, 4))
    n_interests = rng.integers(2, 5, n_people)
    tenure_days = (level * 500 + rng.integers(0, 1500, n_people)).astype(np.int64)
    today = date(2026, 1, 1)
    people: list[Person] = []
    for i in range(n_people):
        city, tz, lang = SITES[int(site[i])]
        k = int(n_owned[i])
        skills = {
            skill_names[int(s)]: int(p) for s, p in zip(owned[i, :k], prof[i, :k], strict=True)
        }
        people.append(
            Person(
                id=f"p{i:06d}",
                level=int(level[i]),
                department=f"dept-{int(dept[i]):02d}",
                business_unit=f"bu-{int(bu[i])}",
                location=city,
                timezone=tz,
                languages=frozenset({"en", lang}) if rng.random() < 0.9 else frozenset({lang}),
                manager_id=None if manager[i] < 0 else f"p{int(manager[i]):06d}",
                hire_date=today - timedelta(days=int(tenure_days[i])),
                skills=skills,
                interests=frozenset(TOPICS[int(t)] for t in interests[i, : int(n_interests[i])]),
            )
        )
    return SyntheticOrg(people, skill_names)


def _wants(
    rng: np.random.Generator, org: SyntheticOrg, n: int, exponent: float
) -> list[tuple[frozenset[str], frozenset[str]]]:
    p_skill = _zipf_probabilities(len(org.skills), exponent)
    wanted = rng.choice(len(org.skills), size=(n, 3), p=p_skill)
    n_wanted = rng.integers(1, 4, n)
    goals = rng.integers(0, len(TOPICS), size=(n, 3))
    n_goals = rng.integers(1, 4, n)
    return [
        (
            frozenset(org.skills[int(s)] for s in wanted[i, : int(n_wanted[i])]),
            frozenset(TOPICS[int(g)] for g in goals[i, : int(n_goals[i])]),
        )
        for i in range(n)
    ]


def reverse_mentoring_enrollments(
    org: SyntheticOrg,
    n_mentors: int,
    n_mentees: int,
    *,
    capacity: int = 1,
    seed: int = 0,
    zipf_exponent: float = 1.05,
) -> list[Enrollment]:
    """Juniors (lowest levels) mentor seniors (highest levels)."""
    rng = np.random.default_rng(seed + 1)
    levels = np.array([p.level for p in org.people])
    order = np.lexsort((rng.random(len(levels)), levels))
    mentors, mentees = order[:n_mentors], order[len(order) - n_mentees :]
    wants = _wants(rng, org, n_mentors + n_mentees, zipf_exponent)
    starts = rng.choice([7.0, 8.0, 9.0, 10.0], size=n_mentors + n_mentees)
    out: list[Enrollment] = []
    for j, (idx, role) in enumerate(
        [(int(i), Role.MENTOR) for i in mentors] + [(int(i), Role.MENTEE) for i in mentees]
    ):
        out.append(
            Enrollment(
                person_id=org.people[idx].id,
                role=role,
                skills_wanted=wants[j][0],
                goals=wants[j][1],
                capacity=capacity if role is Role.MENTOR else 1,
                work_start_hour=float(starts[j]),
                work_end_hour=float(starts[j]) + 8.0,
            )
        )
    return out


def peer_enrollments(
    org: SyntheticOrg, n_peers: int, *, seed: int = 0, zipf_exponent: float = 1.05
) -> list[Enrollment]:
    """A random subset of the organisation enrolled as peers."""
    rng = np.random.default_rng(seed + 2)
    chosen = rng.choice(len(org.people), size=n_peers, replace=False)
    wants = _wants(rng, org, n_peers, zipf_exponent)
    starts = rng.choice([7.0, 8.0, 9.0, 10.0], size=n_peers)
    return [
        Enrollment(
            person_id=org.people[int(i)].id,
            role=Role.PEER,
            skills_wanted=wants[j][0],
            goals=wants[j][1],
            work_start_hour=float(starts[j]),
            work_end_hour=float(starts[j]) + 8.0,
        )
        for j, i in enumerate(chosen)
    ]
