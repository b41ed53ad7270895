"""The API's cached roster over the real API and worker (separate processes): an HR
fact the worker applies between two previews changes the second, and an enrollment
between two suggestion calls appears in the second."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.matcher.matcher_processes import api_and_worker
from tests.support.auth import bearer
from tests.support.waiting import eventually
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration


def person(pid: str, level: int, department: str) -> dict[str, Any]:
    """A row of its own each time (an import of a row seen before is a duplicate fact)."""
    return {
        "person_id": pid,
        "display_name": f"{pid} {uuid.uuid4().hex[:6]}",
        "email": f"{pid}@example.com",
        "level": level,
        "department": department,
        "time_zone": "Europe/London",
        "languages": ["en"],
        "hire_date": "2012-01-01" if level > 5 else "2024-01-01",
        "interests": ["generative-ai"],
    }


async def import_and_wait(client: httpx.AsyncClient, *people: dict[str, Any]) -> None:
    """Import through the API; wait until the worker's projection shows every row as sent."""
    assert (await client.post("/people/import", json=list(people))).json()["accepted"]

    async def applied() -> bool:
        for row in people:
            found = await client.get(f"/people/{row['person_id']}")
            if found.status_code != 200 or any(
                found.json().get(k) != row[k] for k in ("level", "department")
            ):
                return False
        return True

    await eventually(applied, what="the worker applied the HR facts")


async def program(client: httpx.AsyncClient, mode: str, enrolled: dict[str, str]) -> str:
    rules = {"min_overlap_hours": 0, "require_different_department": True}
    body = {"name": mode, "kind": "reverse_mentoring", "matching_mode": mode, "rules": rules}
    program_id = str((await client.post("/programs", json=body)).json()["id"])
    for pid, role in enrolled.items():
        await enroll(client, program_id, pid, role)
    return program_id


async def enroll(client: httpx.AsyncClient, program_id: str, pid: str, role: str) -> None:
    body = {"person_id": pid, "role": role}
    response = await client.post(f"/programs/{program_id}/enrollments", json=body)
    assert response.status_code == 201, response.text


async def test_hr_changes_and_enrollments_reach_the_cached_pool(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    tag = uuid.uuid4().hex[:8]  # the HR topic is shared between tests: ids of our own
    senior, junior, other = f"sr-{tag}", f"jr-{tag}", f"jr2-{tag}"
    with api_and_worker(stack, database_name, log_dir) as base:
        async with httpx.AsyncClient(
            base_url=base, timeout=60, headers=bearer("admin-1", "program_admin")
        ) as c:
            await import_and_wait(c, person(senior, 8, "Sales"), person(junior, 2, "Tech"))
            rounds = await program(c, "curated", {senior: "mentee", junior: "mentor"})

            async def proposals() -> int:
                draft = (await c.post(f"/programs/{rounds}/rounds")).json()
                return int(draft["proposal_count"])

            assert await proposals() == 1
            await import_and_wait(c, person(junior, 2, "Sales"))  # same department now
            assert await proposals() == 0
            await import_and_wait(c, person(junior, 2, "Tech"))
            assert await proposals() == 1
            await import_and_wait(c, person(junior, 9, "Tech"))  # no longer junior
            assert await proposals() == 0

            await import_and_wait(c, person(junior, 2, "Tech"), person(other, 3, "Ops"))
            self_match = await program(c, "self_match", {senior: "mentee", junior: "mentor"})
            url = f"/programs/{self_match}/suggestions"
            asker = bearer(senior)
            first = (await c.get(url, headers=asker)).json()
            await enroll(c, self_match, other, "mentor")
            second = (await c.get(url, headers=asker)).json()
            # the suggestions cached the roster; an HR fact after that reaches a round
            await import_and_wait(c, person(junior, 2, "Sales"), person(other, 3, "Sales"))
            draft = (await c.post(f"/programs/{self_match}/rounds")).json()
    assert [s["person_id"] for s in first] == [junior]
    assert sorted(s["person_id"] for s in second) == sorted([junior, other])
    assert draft["proposal_count"] == 0  # both mentors in the mentee's department now
