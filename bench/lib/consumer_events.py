"""The events a bench offers each consumer, and the program and people they refer to.

``bench/latency.py`` paces them; ``bench/platform.py`` pre-fills a topic with them to
measure each worker at saturation. The matcher gets HR changes of a population of
people, sessions activated matches of its pairs, the notifier the relationships started
for them (the notifier plans for known people, sessions for an open program: the seed)."""

from __future__ import annotations

from datetime import date

from shared.contracts.envelope import EventData
from shared.contracts.hr import PersonUpserted
from shared.contracts.matching import (
    Explanation,
    MatchActivated,
    Member,
    MemberRole,
    ProgramKind,
    ProgramOpened,
)
from shared.contracts.registry import HR_PEOPLE, MATCHES, PROGRAMS, SESSIONS
from shared.contracts.sessions import RelationshipStarted

#: The topic each consumer is measured on. Notifications first: the sessions phases
#: make relationships that the notifier then plans.
TOPIC_OF = {"notifications": SESSIONS.name, "matcher": HR_PEOPLE.name, "sessions": MATCHES.name}
PROGRAM = "latency-program"
POPULATION = 200


def person(i: int, level: int = 3) -> PersonUpserted:
    return PersonUpserted(
        person_id=f"lat-person-{i % POPULATION}",
        display_name=f"Person {i % POPULATION}",
        email=f"p{i % POPULATION}@example.com",
        level=level,
        department=f"dept-{i % 7}",
        time_zone="Europe/Berlin",
    )


def pair(i: int) -> tuple[str, str]:
    return f"lat-person-{(2 * i) % POPULATION}", f"lat-person-{(2 * i + 1) % POPULATION}"


def payload(consumer: str, tag: str, i: int) -> tuple[str, EventData]:
    """The ``i``-th event of a phase for ``consumer``: (subject, data)."""
    mentor, mentee = pair(i)
    if consumer == "matcher":
        data = person(i, level=i % 10)
        return data.person_id, data
    if consumer == "sessions":
        return f"{tag}-m{i}", MatchActivated(
            match_id=f"{tag}-m{i}",
            program_id=PROGRAM,
            kind=ProgramKind.REVERSE_MENTORING,
            members=(
                Member(person_id=mentor, role=MemberRole.MENTOR),
                Member(person_id=mentee, role=MemberRole.MENTEE),
            ),
            explanation=Explanation(total_score=1.0, contributions={}, constraints_satisfied=()),
            starts_on=date.today(),
            cadence_days=14,
        )
    return f"{tag}-r{i}", RelationshipStarted(
        relationship_id=f"{tag}-r{i}",
        match_id=f"{tag}-m{i}",
        program_id=PROGRAM,
        member_ids=(mentor, mentee),
        starts_on=date.today(),
        cadence_days=14,
    )


def seed_events() -> list[tuple[str, str, EventData]]:
    """The program and the population, as (topic, subject, data)."""
    opened = ProgramOpened(program_id=PROGRAM, kind=ProgramKind.REVERSE_MENTORING)
    return [
        (PROGRAMS.name, PROGRAM, opened),
        *[(HR_PEOPLE.name, f"lat-person-{i}", person(i)) for i in range(POPULATION)],
    ]
