"""A synthetic organisation running one program cycle through the real services' APIs.

Used by ``bench/platform.py`` (throughput and latency) and by the fault suite's replay
test (the state it leaves behind). The phases, each waiting for its effects in the
other services before the next starts:

1. ``import``: people imported into the matcher (``hr.people.v1``), until its
   projection has them all.
2. ``match``: a reverse-mentoring program, everyone enrolled (half mentors, half
   mentees), a round solved and published (``mentoring.matches.v1``).
3. ``activate``: both members of each match accept; sessions starts the relationships.
4. ``schedule``: a meeting per relationship, ``meeting_lead`` from now (``sessions.v1``).
5. ``remind``: until the notifier delivered every meeting reminder (the caller says how
   to count them; a 1-minute reminder offset makes them fall due during the cycle).
6. ``feedback``: once the meetings started, each is completed and both members review.

Waiting for a clock instant (the meetings' start) is recorded apart from busy time,
so a throughput figure can leave it out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tools.organisation import organisation
from tools.platform_client import PlatformClient, expected_body


@dataclass(frozen=True)
class Endpoints:
    matcher: str
    sessions: str


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    waited_for_clock_s: float = 0.0
    requests: int = 0


@dataclass
class CycleResult:
    program_id: str = ""
    people: int = 0
    matches: int = 0
    unmatched_reasons: dict[str, int] = field(default_factory=dict)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    meeting_ids: list[str] = field(default_factory=list)
    meetings_start_at: datetime | None = None
    phases: list[Phase] = field(default_factory=list)

    @property
    def busy_seconds(self) -> float:
        """Wall time of the cycle minus deliberate waits for a clock instant."""
        return sum(p.seconds - p.waited_for_clock_s for p in self.phases)

    @property
    def requests(self) -> int:
        return sum(p.requests for p in self.phases)


class CycleFailed(RuntimeError):
    """An effect did not appear in time, or an API refused a step."""


class ProgramCycle:
    """Drives the phases above; ``reminders_delivered`` counts delivered reminders."""

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        issuer_dir: Path,
        reminders_delivered: Callable[[], Awaitable[int]],
        people: int = 200,
        tag: str = "org",
        admin_id: str = "cycle-admin",
        meeting_lead: timedelta = timedelta(seconds=80),
        concurrency: int = 16,
        effect_timeout_s: float = 180.0,
        on_progress: Callable[[str], None] = lambda message: None,
    ) -> None:
        if people < 2 or people % 2:
            raise ValueError("people must be an even number >= 2 (mentors and mentees)")
        self.endpoints = endpoints
        self.issuer_dir = issuer_dir
        self.reminders_delivered = reminders_delivered
        self.people = organisation(people, tag)
        self.tag = tag
        self.admin_id = admin_id
        self.meeting_lead = meeting_lead
        self.effect_timeout_s = effect_timeout_s
        self.progress = on_progress
        self.api = PlatformClient(issuer_dir, concurrency=concurrency)
        self._phase = Phase("")
        self._starts_at = datetime.now(UTC)
        self._members_of: dict[str, list[str]] = {}

    async def run(self) -> CycleResult:
        result = CycleResult(people=len(self.people))
        async with self.api:
            phases = (self._import, self._match, self._activate, self._schedule)
            for step in (*phases, self._remind, self._feedback):
                name = step.__name__.lstrip("_")
                self._phase = Phase(name)
                started, requests = time.perf_counter(), self.api.requests
                await step(result)
                self._phase.seconds = time.perf_counter() - started
                self._phase.requests = self.api.requests - requests
                result.phases.append(self._phase)
                self.progress(f"{name}: {self._phase.seconds:.1f} s")
        return result

    # -- phases ------------------------------------------------------------------

    async def _import(self, result: CycleResult) -> None:
        for start in range(0, len(self.people), 1000):
            body = await self._as_admin(
                "POST",
                f"{self.endpoints.matcher}/people/import",
                json=self.people[start : start + 1000],
                expect=202,
            )
            if body["accepted"] != len(self.people[start : start + 1000]):
                raise CycleFailed(f"import rejected rows: {body}")
        last = self.people[-1]["person_id"]

        async def imported() -> bool:
            response = await self.api.send(
                "GET", f"{self.endpoints.matcher}/people/{last}", self.admin_id, "program_admin"
            )
            return response.status_code == 200

        await self._until(imported, "the matcher imported everyone")

    async def _match(self, result: CycleResult) -> None:
        matcher = self.endpoints.matcher
        program = await self._as_admin(
            "POST",
            f"{matcher}/programs",
            json={
                "name": f"Reverse mentoring {self.tag}",
                "kind": "reverse_mentoring",
                "admin_ids": [self.admin_id],
                "cadence_days": 14,
            },
            headers={"Idempotency-Key": f"cycle-program-{self.tag}"},
            expect=(200, 201),
        )
        result.program_id = program["id"]

        async def enroll(row: dict[str, Any]) -> None:
            mentor = row["level"] < 5
            body: dict[str, Any] = {"person_id": row["person_id"], "role": "mentor"}
            if mentor:
                body["goals"] = ["generative-ai"]
            else:
                body.update(role="mentee", skills_wanted=["generative-ai"])
            await self._as_admin(
                "POST",
                f"{matcher}/programs/{program['id']}/enrollments",
                json=body,
                expect=(200, 201),
            )

        await asyncio.gather(*map(enroll, self.people))
        draft = await self._as_admin(
            "POST",
            f"{matcher}/programs/{program['id']}/rounds",
            expect=201,
        )
        await self._as_admin("POST", f"{matcher}/rounds/{draft['id']}/publish")
        result.matches = draft["proposal_count"]
        for person in draft.get("unmatched", []):
            reason = person.get("reason", "")
            result.unmatched_reasons[reason] = result.unmatched_reasons.get(reason, 0) + 1
        if result.matches == 0:
            raise CycleFailed(f"the round matched nobody: {draft.get('unmatched', [])[:3]}")

    async def _activate(self, result: CycleResult) -> None:
        matches = await self.api.all_pages(
            f"{self.endpoints.matcher}/matches",
            self.admin_id,
            "program_admin",
            {"program_id": result.program_id},
        )

        async def accept(match: dict[str, Any]) -> None:
            for member in match["members"]:  # one after the other, as people answer
                await self.api.call(
                    "POST",
                    f"{self.endpoints.matcher}/matches/{match['id']}/answer",
                    member["person_id"],
                    "employee",
                    json={"accept": True},
                )

        await asyncio.gather(*map(accept, matches))
        url = f"{self.endpoints.sessions}/relationships"

        async def started() -> bool:
            # 404 until the sessions service has consumed the program from its topic.
            response = await self.api.send(
                "GET",
                url,
                self.admin_id,
                "program_admin",
                params={"program_id": result.program_id, "limit": 1},
            )
            if response.status_code == 404:
                return False
            return bool(expected_body(response, "GET", url)["total"] >= result.matches)

        await self._until(started, "the sessions service started every relationship")
        result.relationships = await self.api.all_pages(
            url, self.admin_id, "program_admin", {"program_id": result.program_id}
        )

    async def _schedule(self, result: CycleResult) -> None:
        starts_at = datetime.now(UTC) + self.meeting_lead

        async def schedule(relationship: dict[str, Any]) -> None:
            organiser = relationship["members"][0]["person_id"]
            meeting = await self.api.call(
                "POST",
                f"{self.endpoints.sessions}/relationships/{relationship['id']}/meetings",
                organiser,
                "employee",
                json={"starts_at": starts_at.isoformat(), "duration_minutes": 30},
                headers={"Idempotency-Key": f"cycle-meeting-{relationship['id']}"},
                expect=(200, 201),
            )
            result.meeting_ids.append(meeting["id"])
            self._members_of[meeting["id"]] = [m["person_id"] for m in relationship["members"]]

        self._starts_at = result.meetings_start_at = starts_at
        await asyncio.gather(*map(schedule, result.relationships))

    async def _remind(self, result: CycleResult) -> None:
        expected = 2 * len(result.meeting_ids)

        async def reminded() -> bool:
            return await self.reminders_delivered() >= expected

        due = self._starts_at - timedelta(minutes=1)
        waited = await self._sleep_until(due)
        self._phase.waited_for_clock_s = waited
        await self._until(reminded, f"the notifier delivered {expected} meeting reminders")

    async def _feedback(self, result: CycleResult) -> None:
        self._phase.waited_for_clock_s = await self._sleep_until(
            self._starts_at + timedelta(seconds=1)
        )

        async def complete_and_review(meeting_id: str) -> None:
            people = self._members_of[meeting_id]
            await self.api.call(
                "POST",
                f"{self.endpoints.sessions}/meetings/{meeting_id}/complete",
                people[0],
                "employee",
                json={"attended_ids": people},
            )
            for person in people:
                await self.api.call(
                    "POST",
                    f"{self.endpoints.sessions}/meetings/{meeting_id}/feedback",
                    person,
                    "employee",
                    json={"rating": 4, "was_useful": True, "comment": ""},
                    expect=201,
                )

        await asyncio.gather(*map(complete_and_review, result.meeting_ids))

    async def _as_admin(self, method: str, url: str, **kwargs: Any) -> Any:
        return await self.api.call(method, url, self.admin_id, "program_admin", **kwargs)

    async def _until(self, condition: Callable[[], Awaitable[bool]], what: str) -> None:
        deadline = time.monotonic() + self.effect_timeout_s
        while not await condition():
            if time.monotonic() > deadline:
                raise CycleFailed(f"timed out after {self.effect_timeout_s:.0f} s: {what}")
            await asyncio.sleep(0.1)

    @staticmethod
    async def _sleep_until(instant: datetime) -> float:
        seconds = max((instant - datetime.now(UTC)).total_seconds(), 0.0)
        await asyncio.sleep(seconds)
        return seconds
