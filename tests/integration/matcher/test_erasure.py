"""Right to erasure in the matcher: after ``hr.person.erased`` no trace of the person is
left in any matcher collection; their match ends and keeps only a pseudonym."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from services.matcher.erasure import pseudonym
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonErased
from shared.contracts.registry import HR_PEOPLE
from shared.kafka.producer import EventProducer, OutgoingMessage
from shared.mongo import create_client
from tests.integration.matcher.matcher_processes import api_and_worker
from tests.support.auth import bearer
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

PEOPLE = [
    {
        "person_id": pid,
        "display_name": f"Name {pid}",
        "email": f"{pid}@example.com",
        "level": 4,
        "department": dept,
        "time_zone": "UTC",
        "languages": ["en"],
        "interests": ["coaching"],
    }
    for pid, dept in [("er-keep", "ops"), ("er-gone", "sales")]
]


async def test_an_erased_person_leaves_no_trace_and_their_match_ends(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    with api_and_worker(stack, database_name, log_dir) as base:
        admin = bearer("er-admin", "program_admin")
        async with httpx.AsyncClient(base_url=base, timeout=60, headers=admin) as c:
            await c.post("/people/import", json=PEOPLE)
            for _ in range(200):
                if all(
                    [(await c.get(f"/people/{p['person_id']}")).status_code == 200 for p in PEOPLE]
                ):
                    break
                await asyncio.sleep(0.25)
            program = (
                await c.post(
                    "/programs",
                    json={
                        "name": "Erasure",
                        "kind": "peer_coaching",
                        "rules": {"min_overlap_hours": 0},
                    },
                )
            ).json()
            for p in PEOPLE:
                await c.post(
                    f"/programs/{program['id']}/enrollments",
                    json={"person_id": p["person_id"], "role": "peer", "goals": ["coaching"]},
                )
            draft = (await c.post(f"/programs/{program['id']}/rounds")).json()
            await c.post(f"/rounds/{draft['id']}/publish")
            [match] = (await c.get("/matches", params={"program_id": program["id"]})).json()[
                "items"
            ]
            for p in PEOPLE:
                await c.post(
                    f"/matches/{match['id']}/answer",
                    json={"accept": True},
                    headers=bearer(p["person_id"]),
                )

            producer = EventProducer(stack.bootstrap_servers, service="hr")
            try:
                await producer.publish(
                    OutgoingMessage.for_event(
                        HR_PEOPLE.name,
                        Envelope.wrap(
                            PersonErased(person_id="er-gone"), source="/hr", subject="er-gone"
                        ),
                    )
                )
            finally:
                producer.close()

            mongo = create_client(stack.mongo_url)
            db = mongo[database_name]
            try:

                async def traces() -> list[str]:
                    found = []
                    for name in await db.list_collection_names():
                        for doc in await db[name].find({}).to_list():
                            if "er-gone" in json.dumps(doc, default=str):
                                found.append(f"{name}:{doc['_id']}")
                    return found

                for _ in range(160):
                    if not await traces():
                        break
                    await asyncio.sleep(0.25)
                assert await traces() == []
                stored = await db.matches.find_one({"_id": match["id"]})
            finally:
                await mongo.close()
            assert stored["state"] == "ended"
            assert pseudonym("er-gone") in stored["member_ids"]
            assert "er-keep" in stored["member_ids"]
            assert (await c.get("/people/er-gone")).status_code == 404
