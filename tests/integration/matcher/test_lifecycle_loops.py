"""The loops that close through the real matcher worker: a departure on
``hr.people.v1`` and a relationship a member ended early on ``sessions.v1`` each end
the match (``mentoring.match.ended`` on the topic); a withdrawal through the API
declines the person's proposal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import httpx
import pytest

from shared.contracts.envelope import Envelope, EventData
from shared.contracts.hr import PersonDeparted
from shared.contracts.identifiers import relationship_id_for
from shared.contracts.registry import HR_PEOPLE, MATCHES, SESSIONS, Topic
from shared.contracts.sessions import RelationshipEnded
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.integration.matcher.matcher_processes import api_and_worker
from tests.support.auth import bearer
from tests.support.waiting import eventually
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration


def person(pid: str, dept: str) -> dict[str, object]:
    return {
        "person_id": pid,
        "display_name": pid.upper(),
        "email": f"{pid}@example.com",
        "level": 4,
        "department": dept,
        "time_zone": "UTC",
        "languages": ["en"],
        "interests": ["coaching"],
    }


async def publish(stack: LocalStack, topic: Topic, data: EventData, subject: str) -> None:
    producer = EventProducer(stack.bootstrap_servers, service="test")
    try:
        envelope = Envelope.wrap(data, source="/test", subject=subject)
        await producer.publish(OutgoingMessage.for_event(topic.name, envelope))
    finally:
        producer.close()


async def ended_on_topic(stack: LocalStack, match_id: str) -> list[str]:
    """The ``reason_code`` of every ``mentoring.match.ended`` of the match on its topic."""
    records = await read_topic(stack.bootstrap_servers, MATCHES.name)
    envelopes = [Envelope.from_bytes(r.value) for r in records if r.key == match_id.encode()]
    return [e.data["reason_code"] for e in envelopes if e.type == "mentoring.match.ended"]


async def propose(c: httpx.AsyncClient, people: list[dict[str, object]]) -> dict[str, object]:
    """The people imported, enrolled as peers in a new program and matched by its
    first round (as ``c``, a program admin); returns the proposed match."""
    ids = [str(p["person_id"]) for p in people]
    assert (await c.post("/people/import", json=people)).status_code == 202

    async def imported() -> bool:
        return all([(await c.get(f"/people/{p}")).status_code == 200 for p in ids])

    await eventually(imported, what="the people imported")
    program = (
        await c.post(
            "/programs",
            json={"name": "Loops", "kind": "peer_coaching", "rules": {"min_overlap_hours": 0}},
        )
    ).json()
    for pid in ids:
        enrolled = await c.post(
            f"/programs/{program['id']}/enrollments",
            json={"person_id": pid, "role": "peer", "goals": ["coaching"]},
        )
        assert enrolled.status_code == 201, enrolled.text
    draft = (await c.post(f"/programs/{program['id']}/rounds")).json()
    assert (await c.post(f"/rounds/{draft['id']}/publish")).status_code == 200
    [match] = (await c.get("/matches", params={"program_id": program["id"]})).json()["items"]
    return dict(match)


@asynccontextmanager
async def matched_pair(
    stack: LocalStack, database_name: str, log_dir: Path, *, activate: bool = True
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, object], list[str]]]:
    """API and worker running; two people matched in a peer program (active, unless
    ``activate`` is false); yields (admin client, match, member ids)."""
    ids = [f"{database_name}-a", f"{database_name}-b"]
    with api_and_worker(stack, database_name, log_dir) as base:
        async with httpx.AsyncClient(
            base_url=base,
            timeout=60,
            headers=bearer("loop-admin", "program_admin"),
        ) as c:
            match = await propose(c, [person(ids[0], "ops"), person(ids[1], "sales")])
            for pid in ids if activate else []:
                answer = await c.post(
                    f"/matches/{match['id']}/answer", json={"accept": True}, headers=bearer(pid)
                )
                assert answer.status_code == 200, answer.text
            yield c, match, ids


async def wait_for_state(c: httpx.AsyncClient, match_id: str, state: str) -> dict[str, object]:
    async def reached() -> dict[str, object] | None:
        doc: dict[str, object] = (await c.get(f"/matches/{match_id}")).json()
        return doc if doc["state"] == state else None

    return await eventually(reached, what=f"match {match_id} {state}")


async def test_a_departure_on_hr_people_ends_the_match_through_the_worker(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    async with matched_pair(stack, database_name, log_dir) as (c, match, ids):
        departed = PersonDeparted(person_id=ids[1], departed_on=date(2026, 3, 1))
        await publish(stack, HR_PEOPLE, departed, ids[1])
        ended = await wait_for_state(c, str(match["id"]), "ended")
        assert ended["note"].startswith(ids[1])  # type: ignore[union-attr]

        async def announced() -> list[str]:
            return await ended_on_topic(stack, str(match["id"]))

        assert await eventually(announced, what="mentoring.match.ended") == ["member_departed"]


async def test_a_relationship_ended_early_in_sessions_ends_the_match_once(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    async with matched_pair(stack, database_name, log_dir) as (c, match, ids):
        match_id = str(match["id"])
        ended = RelationshipEnded(
            relationship_id=relationship_id_for(match_id),
            program_id=str(match["program_id"]),
            member_ids=tuple(ids),
            reason_code="ended_early",
            ended_by=ids[0],
        )
        await publish(stack, SESSIONS, ended, relationship_id_for(match_id))
        await publish(stack, SESSIONS, ended, relationship_id_for(match_id))  # a replay
        await wait_for_state(c, match_id, "ended")

        async def announced() -> list[str]:
            return await ended_on_topic(stack, match_id)

        assert await eventually(announced, what="mentoring.match.ended") == ["ended_by_member"]


async def test_withdrawing_declines_the_persons_proposal(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    async with matched_pair(stack, database_name, log_dir, activate=False) as (c, match, ids):
        program_id = match["program_id"]
        withdrawn = await c.delete(f"/programs/{program_id}/enrollments/{ids[0]}")
        assert withdrawn.status_code == 200, withdrawn.text
        declined = await wait_for_state(c, str(match["id"]), "declined")
        assert declined["note"] == "enrollment_withdrawn"
