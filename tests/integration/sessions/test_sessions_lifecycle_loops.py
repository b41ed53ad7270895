"""The lifecycle loops through the real sessions worker process: the matcher's events
published on its topics, the relationship's change seen in the API, sessions' events
on ``sessions.v1``. A kept flag resumes, a completed program ends the relationship
``completed`` and asks for the closing survey, which a member answers; a member's
early end is not undone by the matcher's echo; HR's time zones reach the slots."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.contracts.envelope import Envelope, EventData
from shared.contracts.hr import PersonUpserted
from shared.contracts.matching import (
    MatchEnded,
    MatchFlagged,
    MatchResumed,
    ProgramClosed,
    ProgramOpened,
)
from shared.contracts.registry import HR_PEOPLE, MATCHES, PROGRAMS, SESSIONS, Topic
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.support.processes import running
from tests.support.waiting import eventually
from tools.localstack import LocalStack
from tools.topics import read_topic

from .conftest import SessionsHarness, activated

pytestmark = pytest.mark.integration

TOKYO, NEW_YORK = "Asia/Tokyo", "America/New_York"
SECRET = "PRIVATE-SURVEY-NOTE"
SURVEY = {
    "overall": 5,
    "partner_helpfulness": 4,
    "goals_met": "partly",
    "would_recommend": True,
    "would_continue": False,
    "private_note": SECRET,
}


@dataclass
class Loop:
    """One pair's world: the running worker, a producer, the API harness, their ids."""

    s: SessionsHarness
    producer: EventProducer
    servers: str
    log: Path
    tag: str

    @property
    def program_id(self) -> str:
        return f"prog-{self.tag}"

    @property
    def match_id(self) -> str:
        return f"match-{self.tag}"

    @property
    def rel_id(self) -> str:
        return f"rel-{self.match_id}"

    @property
    def mentor(self) -> str:
        return f"p-mentor-{self.tag}"

    @property
    def mentee(self) -> str:
        return f"p-mentee-{self.tag}"

    async def publish(self, topic: Topic, data: EventData, subject: str) -> None:
        envelope = Envelope.wrap(data, source="/matcher-test", subject=subject)
        await self.producer.publish(OutgoingMessage.for_event(topic.name, envelope))

    async def match(self, data: EventData) -> None:
        await self.publish(MATCHES, data, self.match_id)

    async def relationship(self, **expected: Any) -> dict[str, Any]:
        """The relationship as its mentor reads it, once it shows ``expected``."""

        async def shown() -> dict[str, Any] | None:
            got = await self.s.client.get(
                f"/relationships/{self.rel_id}", headers=self.s.as_(self.mentor)
            )
            body: dict[str, Any] = got.json()
            ok = got.status_code == 200 and all(body.get(k) == v for k, v in expected.items())
            return body if ok else None

        return await eventually(shown, what=f"the relationship with {expected}")

    async def program(self) -> dict[str, Any]:
        """The program as sessions projected it, once it has (its topic is read apart
        from the matches', so the pair may start before the program is known)."""

        async def shown() -> dict[str, Any] | None:
            got = await self.s.client.get(
                f"/programs/{self.program_id}", headers=self.s.as_(self.mentor)
            )
            return got.json() if got.status_code == 200 else None

        return await eventually(shown, what=f"the program {self.program_id}")

    async def events(self) -> list[dict[str, Any]]:
        """This relationship's events on ``sessions.v1`` (de-duplicated), in order."""
        await self.s.drain_outbox()
        records = await read_topic(self.servers, SESSIONS.name)
        bodies = [json.loads(r.value) for r in records if r.key == self.rel_id.encode()]
        return list({b["id"]: b for b in bodies}.values())


@pytest.fixture
async def loop(
    sessions: SessionsHarness,
    stack: LocalStack,
    database_name: str,
    log_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Loop]:
    """The real worker over the harness's database; a program and an activated pair."""
    monkeypatch.setenv("APP_DATADIR", str(log_dir / "faust-data"))
    tag = uuid.uuid4().hex[:8]
    producer = EventProducer(stack.bootstrap_servers, service="test")
    try:
        with running(
            stack,
            "sessions",
            "worker",
            database=database_name,
            log_dir=log_dir,
            kafka_consumer_group=f"sessions-{tag}",
        ) as info:
            log = Path(str(info["log"]))
            world = Loop(sessions, producer, stack.bootstrap_servers, log, tag)
            opened = ProgramOpened(program_id=world.program_id, kind="reverse_mentoring")
            await world.publish(PROGRAMS, opened, world.program_id)
            members = ((world.mentor, "mentor"), (world.mentee, "mentee"))
            starts_on = sessions.clock.now.date() - timedelta(days=1)
            data = activated(
                match_id=world.match_id,
                program_id=world.program_id,
                members=members,
                starts_on=starts_on,
            )
            await world.match(data)
            await world.relationship(status="active")
            await world.program()
            yield world
    finally:
        producer.close()


def _person(person_id: str, time_zone: str) -> PersonUpserted:
    return PersonUpserted(
        person_id=person_id,
        display_name="Not Kept By Sessions",
        email=f"{person_id}@example.com",
        level=3,
        time_zone=time_zone,
    )


async def _answer_the_survey(loop: Loop, survey_path: str) -> None:
    """The mentee answers once and reads it back; nobody else sees it; HR's report
    counts it, suppressed (one person)."""
    s = loop.s
    answered = await s.client.post(survey_path, json=SURVEY, headers=s.as_(loop.mentee))
    assert answered.status_code == 201, answered.text
    again = await s.client.post(survey_path, json=SURVEY, headers=s.as_(loop.mentee))
    assert again.status_code == 409 and again.json()["detail"] == "already answered"
    own = await s.client.get(survey_path, headers=s.as_(loop.mentee))
    assert own.status_code == 200 and own.json()["private_note"] == SECRET
    assert (await s.client.get(survey_path, headers=s.as_(loop.mentor))).status_code == 404
    today = s.clock.now.date().isoformat()
    report = await s.client.get(
        f"/hr/programs/{loop.program_id}/aggregates",
        params={"first_day": today, "last_day": today},
        headers=s.as_("p-hr", "hr_analyst"),
    )
    assert report.status_code == 200, report.text
    assert report.json()["survey"]["answers"] == {"value": None, "suppressed": True}
    assert SECRET not in report.text


async def test_a_kept_flag_resumes_and_a_completed_program_asks_for_the_survey(
    loop: Loop,
) -> None:
    s = loop.s
    await loop.match(
        MatchFlagged(match_id=loop.match_id, program_id=loop.program_id, reason_codes=("x",))
    )
    await loop.relationship(status="paused", paused_reason="match_flagged")
    await loop.match(MatchResumed(match_id=loop.match_id, program_id=loop.program_id))
    await loop.relationship(status="active", paused_reason=None)

    survey_path = f"/relationships/{loop.rel_id}/survey"
    early = await s.client.post(survey_path, json=SURVEY, headers=s.as_(loop.mentee))
    assert early.status_code == 409 and early.json()["detail"] == "the relationship has not ended"

    completed = MatchEnded(
        match_id=loop.match_id, program_id=loop.program_id, reason_code="program_completed"
    )
    await loop.match(completed)
    ended = await loop.relationship(status="ended", end_reason="completed")
    assert ended["closing_survey_requested"] is True and ended["ended_by"] is None

    await _answer_the_survey(loop, survey_path)

    await loop.publish(PROGRAMS, ProgramClosed(program_id=loop.program_id), loop.program_id)

    async def closed() -> bool:
        got = await s.client.get(f"/programs/{loop.program_id}", headers=s.as_(loop.mentor))
        return bool(got.json().get("status") == "closed")

    await eventually(closed, what="the program closed in the projection")

    events = await eventually(loop.events, what="the relationship's events")
    answers = [e for e in events if e["type"] == "sessions.survey.answered"]
    lifecycle = [e for e in events if e not in answers]  # one document's events, in order
    assert [e["type"] for e in lifecycle] == [
        "sessions.relationship.started",
        "sessions.relationship.paused",
        "sessions.relationship.resumed",
        "sessions.relationship.ended",
        "sessions.relationship.closing_survey_requested",
    ]
    assert lifecycle[3]["data"]["reason_code"] == "completed"
    assert set(lifecycle[4]["data"]["member_ids"]) == {loop.mentor, loop.mentee}
    assert [e["data"] for e in answers] == [
        {"relationship_id": loop.rel_id, "program_id": loop.program_id, "person_id": loop.mentee}
    ]
    assert SECRET not in json.dumps(events)


async def test_an_early_end_is_not_undone_by_the_matchers_echo(loop: Loop) -> None:
    s = loop.s
    ended = await s.client.post(
        f"/relationships/{loop.rel_id}/end", json={}, headers=s.as_(loop.mentee)
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["end_reason"] == "ended_early"
    assert ended.json()["ended_by"] == loop.mentee
    echo = MatchEnded(
        match_id=loop.match_id, program_id=loop.program_id, reason_code="ended_by_member"
    )
    await loop.match(echo)
    await eventually(
        lambda: _logged(loop.log, "match_event_not_applicable"), what="the echo ignored"
    )
    after = await loop.relationship(status="ended")
    assert after["end_reason"] == "ended_early" and after["ended_by"] == loop.mentee
    events = await loop.events()
    ends = [e for e in events if e["type"] == "sessions.relationship.ended"]
    assert [(e["data"]["reason_code"], e["data"]["ended_by"]) for e in ends] == [
        ("ended_early", loop.mentee)
    ]
    assert [e["type"] for e in events].count("sessions.relationship.closing_survey_requested") == 1


async def _logged(path: Path, text: str) -> bool:
    return text in await asyncio.to_thread(path.read_text, errors="replace")


def _inside(slot: str, zone: str, start: time, end: time) -> bool:
    local = datetime.fromisoformat(slot).astimezone(ZoneInfo(zone))
    return (
        local.weekday() < 5
        and start <= local.time()
        and (local + timedelta(minutes=30)).time() <= end
    )


async def test_hr_time_zones_reach_the_members_and_their_slots(loop: Loop) -> None:
    s = loop.s
    await loop.publish(HR_PEOPLE, _person(loop.mentor, TOKYO), loop.mentor)
    await loop.publish(HR_PEOPLE, _person(loop.mentee, NEW_YORK), loop.mentee)

    async def zoned() -> dict[str, Any] | None:
        rel = await loop.relationship()
        zones = {m["person_id"]: m["time_zone"] for m in rel["members"]}
        return rel if zones == {loop.mentor: TOKYO, loop.mentee: NEW_YORK} else None

    await eventually(zoned, what="the members' zones from HR")
    first = s.clock.now.date() + timedelta(days=7)
    body = {
        "first_day": first.isoformat(),
        "last_day": (first + timedelta(days=6)).isoformat(),
        "duration_minutes": 30,
        "working_hours": [
            {"person_id": loop.mentor, "start": "08:00", "end": "18:00"},
            {"person_id": loop.mentee, "start": "08:00", "end": "20:00"},
        ],
    }
    got = await s.client.post(
        f"/relationships/{loop.rel_id}/slots", json=body, headers=s.as_(loop.mentor)
    )
    assert got.status_code == 200, got.text
    starts = [slot["starts_at"] for slot in got.json()]
    assert starts, "Tokyo's morning is New York's evening: there are common slots"
    for start in starts:
        assert _inside(start, TOKYO, time(8), time(18)), start
        assert _inside(start, NEW_YORK, time(8), time(20)), start
