"""Bulk enrollment over the running matcher API: a CSV file, a filter, a re-run that
changes nothing, a large bulk run as a job polled to its report, and exactly one
``mentoring.enrollment.created`` per accepted enrollment on the topic."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.matcher.store import MatcherStore
from shared.contracts.envelope import Envelope
from shared.contracts.registry import ENROLLMENTS
from shared.mongo import create_client
from tests.support.auth import bearer
from tests.support.processes import running
from tests.support.waiting import eventually
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration

#: Above this many rows a bulk runs as a background job (low, so the test stays small).
BACKGROUND_ABOVE = 20


def person(pid: str, department: str, level: int, **fields: Any) -> dict[str, Any]:
    return {
        "display_name": pid,
        "email": f"{pid}@example.com",
        "level": level,
        "department": department,
        "time_zone": "Europe/Berlin",
        "languages": ["en"],
        **fields,
    }


async def seed_people(mongo_url: str, database_name: str) -> None:
    """People straight into the projection (what the worker writes from hr.people.v1):
    six juniors in Sales, forty seniors in Finance, one who left."""
    people = {f"sales-{n}": person(f"sales-{n}", "Sales", 2) for n in range(6)}
    people |= {f"fin-{n:02d}": person(f"fin-{n:02d}", "Finance", 8) for n in range(40)}
    people["left"] = person("left", "Sales", 2, departed_on="2026-01-01")
    mongo = create_client(mongo_url)
    try:
        changes = [("upsert", pid, fields) for pid, fields in people.items()]
        await MatcherStore(mongo[database_name]).write_people(changes)
    finally:
        await mongo.close()


def outcomes(answer: dict[str, Any]) -> dict[str, str]:
    return {row["person_id"]: row["outcome"] for row in answer["report"]["items"]}


async def created_events(bootstrap: str, program_id: str, expected: int) -> list[Envelope]:
    async def mine() -> list[Envelope]:
        records = await read_topic(bootstrap, ENROLLMENTS.name)
        found = [
            Envelope.from_bytes(r.value) for r in records if r.key.startswith(program_id.encode())
        ]
        return found if len({e.id for e in found}) >= expected else []

    return await eventually(mine, what=f"{expected} enrollment events")


async def test_bulk_enrollment_from_a_file_a_filter_and_a_background_job(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    await seed_people(stack.mongo_url, database_name)
    extra = {"bulk_background_above": str(BACKGROUND_ABOVE)}
    with running(stack, "matcher", "api", database=database_name, log_dir=log_dir, **extra) as api:
        base = f"http://127.0.0.1:{api['port']}"
        admin = bearer("admin-bulk", "program_admin")
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=admin) as client:
            program = (
                await client.post("/programs", json={"name": "RM", "kind": "reverse_mentoring"})
            ).json()["id"]
            bulk = f"/programs/{program}/enrollments/bulk"
            csv_text = (
                "person_id,role,goals,capacity\n"
                "sales-0,mentor,ai;data,2\nsales-1,mentor,,\nleft,mentor,,\n"
                "nobody,mentor,,\nsales-2,peer,,\nsales-3,mentor,,many\n"
            )
            files = {"file": ("enroll.csv", csv_text.encode(), "text/csv")}
            first = await client.post(f"{bulk}/file", files=files)
            assert first.status_code == 200, first.text
            by_row = {
                r["row"]: (r["outcome"], r["reason"]) for r in first.json()["report"]["items"]
            }
            assert by_row == {
                2: ("accepted", None),
                3: ("accepted", None),
                4: ("rejected", "departed"),
                5: ("rejected", "unknown_person"),
                6: ("rejected", "role_not_in_program"),
                7: ("rejected", "invalid"),
            }
            again = (await client.post(f"{bulk}/file", files=files)).json()
            assert (again["accepted"], again["already_enrolled"], again["rejected"]) == (0, 2, 4)

            by_filter = {"filter": {"role": "mentor", "departments": ["Sales"], "max_level": 3}}
            selected = (await client.post(bulk, json=by_filter)).json()
            assert outcomes(selected) == {
                "left": "rejected",
                **{f"sales-{n}": "already_enrolled" for n in range(2)},
                **{f"sales-{n}": "accepted" for n in range(2, 6)},
            }

            seniors = [{"person_id": f"fin-{n:02d}", "role": "mentee"} for n in range(40)]
            started = await client.post(bulk, json={"rows": seniors})
            assert started.status_code == 202, started.text
            assert started.json()["status"] == "running"

            async def finished() -> dict[str, Any] | None:
                job = (await client.get(started.headers["Location"])).json()
                return job if job["status"] != "running" else None

            job = await eventually(finished, what="the bulk job to finish")
            assert (job["status"], job["done"], job["accepted"]) == ("finished", 40, 40)
            second_page = (
                await client.get(started.headers["Location"], params={"offset": 30, "limit": 20})
            ).json()["report"]
            assert [r["person_id"] for r in second_page["items"]] == [
                f"fin-{n}" for n in range(30, 40)
            ]
            listed = await client.get(f"/programs/{program}/enrollments", params={"limit": 200})
            enrolled = {e["person_id"] for e in listed.json()["items"]}

    assert len(enrolled) == 6 + 40
    events = await created_events(stack.bootstrap_servers, program, expected=len(enrolled))
    per_person = Counter(e.data["person_id"] for e in {e.id: e for e in events}.values())
    assert per_person == Counter(enrolled), "one enrollment.created per accepted enrollment"
