"""Self-match over the real matcher API: browse, request, accept; an unanswered request
expires and the next choice is offered."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.matcher.matches import expire_proposals
from services.matcher.settings import MatcherSettings
from services.matcher.store import MatcherStore
from shared.mongo import create_client
from shared.unit_of_work import UnitOfWork
from tests.integration.matcher.matcher_processes import api_and_worker
from tests.support.auth import bearer
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

PEERS = [
    {
        "person_id": f"sm-{name}",
        "display_name": name,
        "email": f"{name}@example.com",
        "level": 5,
        "department": dept,
        "time_zone": "Europe/Paris",
        "languages": ["fr", "en"],
        "skills": [{"name": skill, "proficiency": 4}],
        "interests": [skill],
    }
    for name, dept, skill in [
        ("ana", "sales", "coaching"),
        ("ben", "ops", "coaching"),
        ("cyd", "hr", "finance"),
        ("dan", "it", "coaching"),
    ]
]


async def test_a_peer_requests_a_suggested_partner_who_accepts_and_expiry_offers_the_next(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    with api_and_worker(stack, database_name, log_dir) as base:
        async with httpx.AsyncClient(
            base_url=base,
            timeout=60,
            headers=bearer("admin-1", "program_admin"),
        ) as c:
            await c.post("/people/import", json=PEERS)
            for _ in range(200):
                codes = [(await c.get(f"/people/{p['person_id']}")).status_code for p in PEERS]
                if codes == [200] * len(PEERS):
                    break
                await asyncio.sleep(0.25)
            curated = (
                await c.post("/programs", json={"name": "c", "kind": "peer_coaching"})
            ).json()
            program = (
                await c.post(
                    "/programs",
                    json={
                        "name": "Peer coaching, pick your partner",
                        "kind": "peer_coaching",
                        "matching_mode": "self_match",
                        "proposal_ttl_hours": 48,
                        "rules": {"min_overlap_hours": 1, "weights": {"goals": 3}},
                    },
                )
            ).json()
            for p in PEERS:
                await c.post(
                    f"/programs/{program['id']}/enrollments",
                    json={"person_id": p["person_id"], "role": "peer", "goals": ["coaching"]},
                )
                await c.post(
                    f"/programs/{curated['id']}/enrollments",
                    json={"person_id": p["person_id"], "role": "peer"},
                )
            ana = bearer("sm-ana")
            not_self = await c.get(f"/programs/{curated['id']}/suggestions", headers=ana)
            assert not_self.status_code == 409

            ranked = (await c.get(f"/programs/{program['id']}/suggestions", headers=ana)).json()
            assert [s["person_id"] for s in ranked][:1] != ["sm-ana"]
            assert {s["person_id"] for s in ranked} == {"sm-ben", "sm-cyd", "sm-dan"}
            first, second = ranked[0]["person_id"], ranked[1]["person_id"]
            assert (
                ranked[0]["explanation"]["total_score"] >= ranked[1]["explanation"]["total_score"]
            )

            request = await c.post(
                f"/programs/{program['id']}/requests", headers=ana, json={"partner_id": first}
            )
            assert request.status_code == 201, request.text
            match = request.json()
            assert match["responses"] == {"sm-ana": "accepted", first: "pending"}

            # The partner never answers: past its expiry the request is declined...
            mongo = create_client(stack.mongo_url)
            try:
                expired = await expire_proposals(
                    UnitOfWork(
                        store=MatcherStore(mongo[database_name]),
                        settings=MatcherSettings(),
                        source="/test",
                        now=datetime.now(UTC) + timedelta(hours=49),
                    )
                )
            finally:
                await mongo.close()
            assert expired == 1
            assert (await c.get(f"/matches/{match['id']}")).json()["state"] == "declined"

            # ...and the next choice is offered first.
            again = (await c.get(f"/programs/{program['id']}/suggestions", headers=ana)).json()
            assert again[0]["person_id"] == second
            assert first not in {s["person_id"] for s in again}

            chosen = await c.post(
                f"/programs/{program['id']}/requests", headers=ana, json={"partner_id": second}
            )
            accepted = await c.post(
                f"/matches/{chosen.json()['id']}/answer",
                json={"accept": True},
                headers=bearer(second),
            )
            assert accepted.json()["state"] == "active"
            taken = await c.get(f"/programs/{program['id']}/suggestions", headers=ana)
            assert taken.status_code == 409, "a matched peer has left the pool"
