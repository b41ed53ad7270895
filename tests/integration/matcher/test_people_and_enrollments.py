"""People import and enrollments over the real matcher API and worker processes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from services.matcher.cli import import_people
from shared.contracts.envelope import Envelope
from shared.contracts.registry import ENROLLMENTS
from tests.integration.matcher.matcher_processes import api_and_worker
from tests.support.auth import bearer
from tests.support.waiting import eventually
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration


def person(pid: str, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "person_id": pid,
        "display_name": f"Person {pid}",
        "email": f"{pid}@example.com",
        "level": 3,
        "department": "Engineering",
        "time_zone": "Europe/Berlin",
        "languages": ["en"],
    }
    return {**row, **changes}


async def test_import_reports_bad_rows_applies_good_ones_and_people_can_enroll(
    stack: LocalStack, database_name: str, log_dir: Path, tmp_path: Path
) -> None:
    with api_and_worker(stack, database_name, log_dir) as base:
        admin = bearer("admin-1", "program_admin")
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=admin) as client:
            rows = [
                person("a1", level=2),
                person("a2", time_zone="Mars/Olympus"),
                person("a3", level=9, manager_id="a4"),
                {"person_id": "a4", "display_name": "No mail", "level": 9},
                person("a5", level=10, department="Finance"),
            ]
            result = (await client.post("/people/import", json=rows)).json()
            assert result["accepted"] == 3 and result["rejected"] == 2
            by_row = {e["row"]: e for e in result["errors"]}
            assert "unknown IANA time zone" in by_row[2]["errors"][0]
            assert any(msg.startswith("email") for msg in by_row[4]["errors"])

            csv_file = tmp_path / "people.csv"
            csv_file.write_text(
                "person_id,display_name,email,level,department,time_zone,languages,skills\n"
                "c1,Cleo,cleo@example.com,4,Sales,America/New_York,en;es,python:4;sql:2\n"
                "c2,Broken,broken@example.com,not-a-level,Sales,UTC,en,\n"
            )
            with httpx.Client(base_url=base, timeout=30, headers=admin) as sync_client:
                report = await asyncio.to_thread(
                    import_people, csv_file, api=base, chunk=1, client=sync_client
                )
            assert report["accepted"] == 1 and report["rejected"] == 1
            assert report["errors"][0]["row"] == 3 and report["errors"][0]["person_id"] == "c2"

            async def all_people() -> bool:  # the topic is shared: look for ours by id
                found = [
                    (await client.get(f"/people/{p}")).status_code for p in ("a1", "a3", "a5", "c1")
                ]
                return found == [200] * 4

            await eventually(all_people)
            cleo = (await client.get("/people/c1")).json()
            assert cleo["skills"] == [
                {"name": "python", "proficiency": 4},
                {"name": "sql", "proficiency": 2},
            ]
            assert (await client.get("/people/a2")).status_code == 404

            program = (
                await client.post("/programs", json={"name": "RM", "kind": "reverse_mentoring"})
            ).json()
            path = f"/programs/{program['id']}/enrollments"
            first = await client.post(path, json={"person_id": "a1", "role": "mentor"})
            again = await client.post(path, json={"person_id": "a1", "role": "mentor"})
            assert (first.status_code, again.status_code) == (201, 200)
            assert first.json()["id"] == again.json()["id"]
            unknown = await client.post(path, json={"person_id": "zz", "role": "mentor"})
            assert unknown.status_code == 404
            assert unknown.json()["detail"].startswith("not found: person_id: person zz")
            peer = await client.post(path, json={"person_id": "a5", "role": "peer"})
            assert peer.status_code == 422
            assert peer.json()["detail"][0]["loc"] == ["body", "role"]
            extra = await client.post(path, json={"person_id": "a5", "role": "mentee", "x": 1})
            assert extra.status_code == 422
            assert (await client.post(path, json={"person_id": "a5", "role": "mentee"})).is_success
            listed = (await client.get(path, params={"role": "mentee"})).json()
            assert [e["person_id"] for e in listed["items"]] == ["a5"]

            async def enrollment_events() -> list[Envelope]:
                records = await read_topic(stack.bootstrap_servers, ENROLLMENTS.name)
                mine = [
                    Envelope.from_bytes(r.value)
                    for r in records
                    if r.key.startswith(program["id"].encode())
                ]
                return mine if len(mine) >= 2 else []

            events = await eventually(enrollment_events)
            by_id = {e.id: e.data["person_id"] for e in events}  # at least once: dedupe by id
            assert sorted(by_id.values()) == ["a1", "a5"]
