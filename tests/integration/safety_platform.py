"""Sessions and the notifier as real processes (APIs, workers, the dispatcher) over the
real local broker and database, for the reverse-mentoring safety tests; the matcher's and
the HR feed's facts are published by the test, as those services would publish them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from shared.contracts.envelope import Envelope, EventData
from shared.contracts.hr import PersonUpserted
from shared.contracts.identifiers import relationship_id_for
from shared.contracts.matching import Explanation, MatchActivated, Member, ProgramOpened
from shared.contracts.registry import HR_PEOPLE, MATCHES, PROGRAMS, Topic
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.integration.notifications.receivers import SmtpSink
from tests.support.auth import bearer
from tests.support.processes import running
from tests.support.waiting import eventually
from tools.localstack import LocalStack

ROLES = {
    "employee": ("employee",),
    "admin": ("program_admin",),
    "hr": ("hr_analyst",),
    "service": ("service",),
}


class Cast(NamedTuple):
    """A reverse-mentoring pair (the junior mentors the senior) and the program's admin."""

    tag: str
    junior: str
    senior: str
    admin: str
    program_id: str
    relationship_id: str


def cast_of(tag: str) -> Cast:
    """The cast whose ids all start with ``tag`` (unique per test)."""
    people = (f"{tag}-{role}" for role in ("junior", "senior", "admin", "program"))
    return Cast(tag, *people, relationship_id_for(f"{tag}-match"))


@dataclass
class SafetyPlatform:
    stack: LocalStack
    sessions_url: str
    notifications_url: str
    database: str
    smtp: SmtpSink
    log_dir: Path
    last_start: datetime = datetime.min.replace(tzinfo=UTC)

    async def call(
        self, service: str, method: str, path: str, who: str, role: str = "employee", **kw: Any
    ) -> httpx.Response:
        base = self.sessions_url if service == "sessions" else self.notifications_url
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            headers = bearer(who, *ROLES[role])
            return await client.request(method, path, headers=headers, **kw)

    async def publish(self, topic: Topic, data: EventData, subject: str) -> None:
        producer = EventProducer(self.stack.bootstrap_servers, service="test")
        try:
            envelope = Envelope.wrap(data, source="/test", subject=subject)
            await producer.publish(OutgoingMessage.for_event(topic.name, envelope))
        finally:
            producer.close()

    async def reverse_pair(self, cast: Cast) -> str:
        """The people, the program and the activated match, as HR and the matcher tell
        them; returns the relationship id once sessions has started it."""
        for person in (cast.junior, cast.senior, cast.admin):
            upserted = PersonUpserted(
                person_id=person,
                display_name=f"Person {person}",
                email=f"{person}@example.org",
                level=2 if person == cast.junior else 9,
            )
            await self.publish(HR_PEOPLE, upserted, person)
        program = ProgramOpened(
            program_id=cast.program_id, kind="reverse_mentoring", admin_ids=(cast.admin,)
        )
        await self.publish(PROGRAMS, program, cast.program_id)
        match = MatchActivated(
            match_id=f"{cast.tag}-match",
            program_id=cast.program_id,
            kind="reverse_mentoring",
            members=(
                Member(person_id=cast.junior, role="mentor"),
                Member(person_id=cast.senior, role="mentee"),
            ),
            explanation=Explanation(total_score=0.9, contributions={}, constraints_satisfied=()),
            starts_on=date.today(),
        )
        await self.publish(MATCHES, match, match.match_id)
        rel = cast.relationship_id

        async def started() -> bool:
            answer = await self.call("sessions", "GET", f"/relationships/{rel}", cast.senior)
            return answer.status_code == 200

        await eventually(started, what=f"relationship {rel} started in sessions")
        return rel

    async def schedule(self, cast: Cast, count: int) -> list[str]:
        """``count`` meetings the senior organises, each starting seconds after its request."""
        ids = []
        for _ in range(count):
            self.last_start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
            body = {"starts_at": self.last_start.isoformat(), "duration_minutes": 5}
            path = f"/relationships/{cast.relationship_id}/meetings"
            made = await self.call("sessions", "POST", path, cast.senior, json=body)
            assert made.status_code == 201, made.text
            ids.append(made.json()["id"])
        return ids

    async def hold(self, cast: Cast, meeting_ids: list[str]) -> None:
        """Each meeting held by both members, once the last one scheduled has started."""
        wait = (self.last_start - datetime.now(UTC)).total_seconds() + 0.5
        await asyncio.sleep(max(wait, 0))
        for meeting_id in meeting_ids:
            body = {"attended_ids": [cast.junior, cast.senior]}
            path = f"/meetings/{meeting_id}/complete"
            done = await self.call("sessions", "POST", path, cast.senior, json=body)
            assert done.status_code == 200, done.text

    async def inbox(self, person: str, role: str = "employee") -> list[dict[str, Any]]:
        answer = await self.call("notifications", "GET", "/inbox", person, role)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


@contextmanager
def safety_platform(stack: LocalStack, database: str, log_dir: Path) -> Iterator[SafetyPlatform]:
    """Sessions API and worker, the notifier's API, worker and dispatcher (mail to a sink)."""
    with ExitStack() as up:
        smtp = up.enter_context(SmtpSink())
        sessions = {"database": f"{database}_sessions", "log_dir": log_dir}
        notifier = {
            "database": f"{database}_notifications",
            "log_dir": log_dir,
            "smtp_port": str(smtp.port),
            "dispatch_interval_s": "0.5",
        }
        sessions_api = up.enter_context(running(stack, "sessions", "api", **sessions))
        groups = {"kafka_consumer_group": f"{database}-sessions"}
        up.enter_context(running(stack, "sessions", "worker", **sessions, **groups))
        notifier_api = up.enter_context(running(stack, "notifications", "api", **notifier))
        groups = {"kafka_consumer_group": f"{database}-notifications"}
        up.enter_context(running(stack, "notifications", "worker", **notifier, **groups))
        up.enter_context(running(stack, "notifications", "dispatcher", **notifier))
        yield SafetyPlatform(
            stack=stack,
            sessions_url=f"http://127.0.0.1:{sessions_api['port']}",
            notifications_url=f"http://127.0.0.1:{notifier_api['port']}",
            database=database,
            smtp=smtp,
            log_dir=log_dir,
        )
