"""Flash mentoring through the running services: the matcher opens a flash program and
enrolls people, sessions learns it from the topics, a host offers a slot, two people
book it at once (one wins, the other is 409), and the one meeting the booking makes
reaches the notifier as any meeting does: its notice, its two reminders (24 h and 1 h
before the start) and its feedback request for both people, and no relationship nudge.

Real processes (matcher, sessions: API and worker; notifications worker) over the
real local broker and database, each service in a database of its own.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from shared.contracts.envelope import Envelope
from shared.contracts.registry import SESSIONS
from tests.support.auth import bearer
from tests.support.processes import running
from tests.support.waiting import eventually
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration

REMINDER_LEADS = [timedelta(hours=24), timedelta(hours=1)]
#: What the notifier sends about a relationship's rhythm or life, never about a flash one.
NUDGES = {
    "match_activated",
    "relationship_at_risk",
    "relationship_stalled",
    "journal_prompt",
    "closing_survey_request",
    "match_ended",
}


@contextmanager
def services(stack: LocalStack, database_name: str, log_dir: Path) -> Iterator[dict[str, str]]:
    """The processes this flow crosses; yields each API's base URL."""
    with ExitStack() as up:

        def run(service: str, role: str) -> dict[str, object]:
            extra = {"kafka_consumer_group": f"{service}-{database_name}"} if role != "api" else {}
            return up.enter_context(
                running(
                    stack,
                    service,
                    role,
                    database=f"{database_name}_{service}",
                    log_dir=log_dir,
                    **extra,
                )
            )

        matcher = run("matcher", "api")
        run("matcher", "worker")  # the people imported: HR facts on hr.people.v1
        sessions = run("sessions", "api")
        run("sessions", "worker")
        run("notifications", "worker")
        yield {
            "matcher": f"http://127.0.0.1:{matcher['port']}",
            "sessions": f"http://127.0.0.1:{sessions['port']}",
        }


def person(pid: str) -> dict[str, object]:
    return {
        "person_id": pid,
        "display_name": pid.upper(),
        "email": f"{pid}@example.com",
        "level": 4,
        "department": "eng",
        "time_zone": "UTC",
        "languages": ["en"],
        "interests": ["kubernetes"],
    }


async def open_flash_program(api: str, people: list[str]) -> str:
    """People imported, a flash program opened and everyone enrolled (in the matcher)."""
    admin = bearer("flash-admin", "program_admin")
    async with httpx.AsyncClient(base_url=api, headers=admin, timeout=60) as matcher:
        imported = await matcher.post("/people/import", json=[person(p) for p in people])
        assert imported.status_code == 202, imported.text

        async def known() -> bool:
            return all([(await matcher.get(f"/people/{p}")).status_code == 200 for p in people])

        await eventually(known, what="the people imported")
        created = await matcher.post("/programs", json={"name": "Flash", "kind": "flash"})
        assert created.status_code == 201, created.text
        program_id = str(created.json()["id"])
        refused = await matcher.post(f"/programs/{program_id}/rounds")
        assert refused.status_code == 409 and "no matching rounds" in refused.text
        for pid in people:
            enrolled = await matcher.post(
                f"/programs/{program_id}/enrollments", json={"person_id": pid, "role": "peer"}
            )
            assert enrolled.status_code == 201, enrolled.text
        return program_id


async def test_a_flash_booking_makes_one_meeting_with_its_two_reminders_and_no_nudge(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    host, first, second = (f"{database_name}-{p}" for p in ("host", "g1", "g2"))
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    try:
        with services(stack, database_name, log_dir) as api:
            program_id = await open_flash_program(api["matcher"], [host, first, second])
            async with httpx.AsyncClient(base_url=api["sessions"], timeout=60) as sessions:
                offer_id = await offer_a_slot(sessions, program_id, host, hours_ahead=30)
                await eventually(  # enrollments travel on several partitions
                    lambda: _can_see(sessions, program_id, first, second), what="the guests"
                )
                won = await book_at_once(sessions, offer_id, first, second)
                guest, meeting_id = won["booking"]["guest_id"], won["booking"]["meeting_id"]
                meeting = await sessions.get(f"/meetings/{meeting_id}", headers=bearer(guest))
                assert meeting.json()["participant_ids"] == [host, guest]
                listed = await sessions.get("/meetings", headers=bearer(host))
                assert [m["id"] for m in listed.json()["items"]] == [meeting_id]

            notifier_db = mongo[f"{database_name}_notifications"]
            items = await planned_about(notifier_db, meeting_id)
            start, people = datetime.fromisoformat(won["starts_at"]), [host, guest]
            reminders = [
                (i["recipient_id"], i["due_at"]) for i in items if i["type"] == "meeting_reminder"
            ]
            assert sorted(reminders) == sorted(
                (p, start - lead) for p in people for lead in REMINDER_LEADS
            )
            each = {"meeting_scheduled": 1, "meeting_reminder": 2, "feedback_request": 1}
            assert Counter((i["type"], i["recipient_id"]) for i in items) == {
                (kind, p): n for p in people for kind, n in each.items()
            }
            await no_relationship_nudge(
                stack, notifier_db, people, won["booking"]["relationship_id"]
            )
    finally:
        await mongo.close()


async def offer_a_slot(
    sessions: httpx.AsyncClient, program_id: str, host: str, *, hours_ahead: int
) -> str:
    """The host offers one 45-minute slot (404 until sessions has the enrollments)."""
    starts = (datetime.now().astimezone() + timedelta(hours=hours_ahead)).replace(microsecond=0)
    body = {
        "topic": "Kubernetes",
        "time_zone": "Europe/Berlin",
        "slots": [{"starts_at": starts.isoformat(), "minutes": 45}],
    }

    async def offered() -> list[dict[str, Any]] | None:
        path = f"/programs/{program_id}/offers"
        response = await sessions.post(path, json=body, headers=bearer(host))
        return response.json() if response.status_code == 201 else None

    [offer] = await eventually(offered, what="sessions knows the enrollments")
    return str(offer["id"])


async def book_at_once(sessions: httpx.AsyncClient, offer_id: str, *guests: str) -> dict[str, Any]:
    """Every guest books the offer at the same time: one 201 (its offer returned), the
    rest 409."""
    path = f"/offers/{offer_id}/booking"
    answers = await asyncio.gather(*(sessions.post(path, headers=bearer(g)) for g in guests))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (len(guests) - 1), [a.text for a in answers]
    [won] = [a.json() for a in answers if a.status_code == 201]
    return dict(won)


async def planned_about(notifier_db: Any, meeting_id: str) -> list[dict[str, Any]]:
    """The notifier's queue items about the meeting, once its four reminders are in."""

    async def planned() -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] = await notifier_db.queue.find(
            {"subject_id": meeting_id}
        ).to_list()
        reminders = [i for i in items if i["type"] == "meeting_reminder"]
        return items if len(reminders) == 4 else None

    return await eventually(planned, what="the meeting's reminders planned")


async def no_relationship_nudge(
    stack: LocalStack, notifier_db: Any, people: list[str], relationship_id: str
) -> None:
    """Nothing about a relationship's life reached the notifier or the topic. A
    relationship event would travel before the meeting's, on the same key: with the
    meeting planned, anything it caused is planned already. The notifier's worker reads
    the whole topic (other tests' events too), so only this flow's ids are looked at."""
    query = {"recipient_id": {"$in": people}, "type": {"$in": sorted(NUDGES)}}
    assert await notifier_db.queue.find(query).to_list() == []
    journals = {"_id": {"$in": people}}
    assert await notifier_db.journal_schedules.count_documents(journals) == 0
    assert await notifier_db.relationships.count_documents({"_id": relationship_id}) == 0
    announced = [
        Envelope.from_bytes(r.value).type
        for r in await read_topic(stack.bootstrap_servers, SESSIONS.name)
        if r.key == relationship_id.encode()
    ]
    assert announced == ["sessions.meeting.scheduled"]


async def _can_see(sessions: httpx.AsyncClient, program_id: str, *people: str) -> bool:
    """Whether sessions lets each of ``people`` see the program's offers (enrolled)."""
    for person_id in people:
        listed = await sessions.get(f"/programs/{program_id}/offers", headers=bearer(person_id))
        if listed.status_code != 200:
            return False
    return True
