"""In-process sessions API over the real local broker and database, with a movable clock."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from services.sessions.api import create_app
from services.sessions.bootstrap import SERVICE
from services.sessions.deps import clock
from services.sessions.settings import SessionsSettings
from services.sessions.store import OUTBOX_COLLECTIONS, SessionsStore
from services.sessions.unit_of_work import Work
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.matching import (
    EnrollmentCreated,
    Explanation,
    MatchActivated,
    Member,
    ProgramOpened,
)
from shared.contracts.registry import ENROLLMENTS, MATCHES, PROGRAMS, ParsedEvent, Topic
from shared.runtime import Runtime
from shared.service import batch_handler
from tests.support.auth import bearer
from tools.localstack import LocalStack

EXPLANATION = Explanation(total_score=0.8, contributions={"skills": 0.8}, constraints_satisfied=())


def activated(
    *,
    match_id: str,
    program_id: str,
    members: tuple[tuple[str, str], ...] = (("p-mentor", "mentor"), ("p-mentee", "mentee")),
    starts_on: date,
    kind: str = "reverse_mentoring",
    cadence_days: int = 14,
) -> MatchActivated:
    return MatchActivated(
        match_id=match_id,
        program_id=program_id,
        kind=kind,
        members=tuple(Member(person_id=p, role=r) for p, r in members),
        explanation=EXPLANATION,
        starts_on=starts_on,
        cadence_days=cadence_days,
    )


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class SessionsHarness:
    client: httpx.AsyncClient
    runtime: Runtime
    store: SessionsStore
    clock: Clock
    source: str

    async def drain_outbox(self, timeout_s: float = 15.0) -> None:
        """Wait until the running relay published every staged event."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            pending = 0
            for name in OUTBOX_COLLECTIONS:
                pending += await self.runtime.db[name].count_documents({"outbox_pending": True})
            if not pending:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{pending} documents still have unpublished events")
            self.runtime.nudge_outbox()
            await asyncio.sleep(0.05)

    def work(self, now: datetime | None = None) -> Work:
        """A unit of work like the worker's, at the harness clock's time (or ``now``)."""
        return self.runtime.unit_of_work(now=now or self.clock.now)

    async def deliver(self, topic: Topic, events: list[ParsedEvent]) -> None:
        """Hand ``events`` to the handler table, as the worker does with a batch."""
        async with self.work() as uow:
            await batch_handler(SERVICE.handlers[topic])(uow, events)

    def as_(self, person_id: str, *roles: str) -> dict[str, str]:
        """A bearer token for ``person_id`` holding ``roles`` (default: employee)."""
        return bearer(person_id, *roles)

    async def start_relationship(
        self,
        *,
        members: tuple[tuple[str, str], ...] = (("p-mentor", "mentor"), ("p-mentee", "mentee")),
        started_days_ago: int = 1,
        kind: str = "reverse_mentoring",
        program_id: str = "prog-1",
        cadence_days: int = 14,
    ) -> str:
        """Deliver an activated match through the consumer's service function."""
        match_id = f"match-{uuid.uuid4().hex[:8]}"
        data = activated(
            match_id=match_id,
            program_id=program_id,
            members=members,
            starts_on=(self.clock.now - timedelta(days=started_days_ago)).date(),
            kind=kind,
            cadence_days=cadence_days,
        )
        envelope = Envelope.wrap(data, source="/test", subject=match_id, time=self.clock.now)
        await self.deliver(MATCHES, [ParsedEvent(envelope=envelope, data=data)])
        return f"rel-{match_id}"

    async def open_flash_program(
        self, program_id: str, *, enrolled: tuple[str, ...], admin_ids: tuple[str, ...] = ()
    ) -> None:
        """A flash program with ``enrolled`` people in it, as sessions learns them."""
        opened = ProgramOpened(program_id=program_id, kind="flash", admin_ids=admin_ids)
        await self.deliver(PROGRAMS, [_parsed(opened, program_id)])
        enrollments = [
            EnrollmentCreated(
                enrollment_id=f"{program_id}:{p}", program_id=program_id, person_id=p, role="peer"
            )
            for p in enrolled
        ]
        await self.deliver(ENROLLMENTS, [_parsed(e, e.enrollment_id) for e in enrollments])

    async def open_program(self, program_id: str, *, admin_ids: tuple[str, ...]) -> None:
        data = ProgramOpened(program_id=program_id, kind="reverse_mentoring", admin_ids=admin_ids)
        envelope = Envelope.wrap(data, source="/test", subject=program_id)
        await self.deliver(PROGRAMS, [ParsedEvent(envelope=envelope, data=data)])


def _parsed(data: EventData, subject: str) -> ParsedEvent:
    return ParsedEvent(envelope=Envelope.wrap(data, source="/test", subject=subject), data=data)


@pytest.fixture
async def sessions(stack: LocalStack, database_name: str) -> AsyncIterator[SessionsHarness]:
    settings = SessionsSettings(
        kafka_bootstrap_servers=stack.bootstrap_servers,
        mongo_url=stack.mongo_url,
        mongo_database=database_name,
        kafka_provision_topics=False,
        outbox_poll_interval_s=0.05,
    )
    app = create_app(settings)
    runtime: Runtime = app.state.runtime
    await runtime.start()
    moving = Clock()

    async def moved() -> datetime:
        return moving.now

    app.dependency_overrides[clock] = moved
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://sessions") as client:
            yield SessionsHarness(
                client, runtime, SessionsStore(runtime.db), moving, settings.source
            )
    finally:
        await runtime.stop()
