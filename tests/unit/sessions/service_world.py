"""A sessions world on the fake unit of work: one database in memory, shared by the
units of work of the people acting in it (a request each, or a consumer batch)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.sessions.bootstrap import SERVICE
from services.sessions.settings import SessionsSettings
from services.sessions.store import SessionsStore
from services.sessions.unit_of_work import Work
from shared.auth import Role
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.matching import Explanation, MatchActivated, Member
from shared.contracts.registry import MATCHES, ParsedEvent, Topic
from shared.service import batch_handler
from tests.support.fakes import fake_unit_of_work, memory_database, principal

MENTOR, MENTEE, STRANGER = "p-mentor", "p-mentee", "p-stranger"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SETTINGS = SessionsSettings()


class World:
    def __init__(self) -> None:
        self.database = memory_database()
        self.now = START

    def work(self, subject: str | None = None, *roles: Role) -> Work:
        """A unit of work at the world's time, acting as ``subject`` (none: the worker)."""
        caller = principal(subject, *roles) if subject else None
        return fake_unit_of_work(
            SessionsStore, SETTINGS, now=self.now, caller=caller, database=self.database
        )

    @property
    def store(self) -> SessionsStore:
        return SessionsStore(self.database)

    async def deliver(self, topic: Topic, *data: EventData, at: datetime | None = None) -> None:
        """Events through the handler table, as the worker hands it one batch."""
        events = [
            ParsedEvent(
                envelope=Envelope.wrap(d, source="/test", subject="s", time=at or self.now), data=d
            )
            for d in data
        ]
        async with self.work() as uow:
            await batch_handler(SERVICE.handlers[topic])(uow, events)

    async def start_pair(self, match_id: str = "m-1") -> str:
        await self.deliver(MATCHES, activated(match_id))
        return f"rel-{match_id}"


def activated(match_id: str, program_id: str = "prog-1") -> MatchActivated:
    return MatchActivated(
        match_id=match_id,
        program_id=program_id,
        kind="reverse_mentoring",
        members=(Member(person_id=MENTOR, role="mentor"), Member(person_id=MENTEE, role="mentee")),
        explanation=Explanation(total_score=0.8, contributions={}, constraints_satisfied=()),
        starts_on=date(2026, 3, 1),
        cadence_days=14,
    )


def types(envelopes: list[Any]) -> list[str]:
    return [e.type for e in envelopes]
