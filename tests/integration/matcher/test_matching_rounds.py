"""A reverse-mentoring program end to end over the real matcher API and worker:
import, enroll, preview, adjust, publish, accept both sides -> ``activated`` on the
topic; a decline frees capacity; a manager change that breaks a constraint flags."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from shared.contracts.envelope import Envelope
from shared.contracts.registry import MATCHES
from tests.integration.matcher.matcher_processes import api_and_worker
from tests.support.auth import bearer
from tests.support.waiting import eventually
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration


def person(pid: str, level: int, manager: str | None, dept: str) -> dict[str, object]:
    return {
        "person_id": pid,
        "display_name": pid.upper(),
        "email": f"{pid}@example.com",
        "level": level,
        "department": dept,
        "time_zone": "Europe/London",
        "languages": ["en"],
        "manager_id": manager,
        "hire_date": "2018-01-01" if level > 5 else "2024-01-01",
        "skills": [{"name": "generative-ai", "proficiency": 5}] if level < 5 else [],
        "interests": ["generative-ai"],
    }


ORG = [
    person("ceo", 12, None, "Board"),
    person("lead1", 9, "ceo", "Sales"),
    person("lead2", 9, "ceo", "Finance"),
    person("jr1", 2, "lead1", "Sales"),  # reports to lead1: may not mentor lead1
    person("jr2", 2, "lead2", "Finance"),
    person("jr3", 3, "ceo", "Engineering"),
]


async def match_events(stack: LocalStack, match_id: str) -> list[str]:
    records = await read_topic(stack.bootstrap_servers, MATCHES.name)
    return [Envelope.from_bytes(r.value).type for r in records if r.key == match_id.encode()]


async def test_reverse_mentoring_round_from_import_to_activation_and_hr_change_flags(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    with api_and_worker(stack, database_name, log_dir) as base:
        async with httpx.AsyncClient(
            base_url=base,
            timeout=60,
            headers=bearer("admin-1", "program_admin"),
        ) as c:
            assert (await c.post("/people/import", json=ORG)).json()["accepted"] == len(ORG)

            async def imported() -> bool:  # the topic is shared: look for ours by id
                found = [(await c.get(f"/people/{p['person_id']}")).status_code for p in ORG]
                return found == [200] * len(ORG)

            await eventually(imported)
            program = (
                await c.post(
                    "/programs",
                    json={
                        "name": "AI for leaders",
                        "kind": "reverse_mentoring",
                        "rules": {"min_overlap_hours": 1, "weights": {"skills": 3, "goals": 2}},
                    },
                )
            ).json()
            enroll = f"/programs/{program['id']}/enrollments"
            for pid in ("jr1", "jr2", "jr3"):
                assert (
                    await c.post(
                        enroll,
                        json={"person_id": pid, "role": "mentor", "goals": ["generative-ai"]},
                    )
                ).is_success
            for pid in ("lead1", "lead2"):
                assert (
                    await c.post(
                        enroll,
                        json={
                            "person_id": pid,
                            "role": "mentee",
                            "skills_wanted": ["generative-ai"],
                        },
                    )
                ).is_success

            draft = await c.post(f"/programs/{program['id']}/rounds")
            assert draft.status_code == 201, draft.text
            draft = draft.json()
            assert draft["status"] == "draft" and draft["proposal_count"] == 2
            proposals = (await c.get(f"/rounds/{draft['id']}/proposals")).json()["items"]
            pairs = {
                (p["members"][0]["person_id"], p["members"][1]["person_id"]) for p in proposals
            }
            assert ("jr1", "lead1") not in pairs, "paired inside a reporting chain"
            for p in proposals:
                explanation = p["explanation"]
                assert "not_in_same_reporting_chain" in explanation["constraints_satisfied"]
                total = sum(x["value"] for x in explanation["contributions"].values())
                assert total == pytest.approx(explanation["total_score"], abs=1e-4)
            [left_out] = draft["unmatched"]  # three mentors, two mentees
            assert left_out["role"] == "mentor" and left_out["reason"]

            # The admin forbids one proposed pair; the re-solve avoids it.
            first_pair = sorted(pairs)[0]
            adjusted = (
                await c.post(
                    f"/rounds/{draft['id']}/adjustments",
                    json={"forbid": [{"first": first_pair[0], "second": first_pair[1]}]},
                )
            ).json()
            assert adjusted["forbidden"] == [sorted(first_pair)]
            proposals = (await c.get(f"/rounds/{draft['id']}/proposals")).json()["items"]
            new_pairs = {
                (p["members"][0]["person_id"], p["members"][1]["person_id"]) for p in proposals
            }
            assert first_pair not in new_pairs

            published = (await c.post(f"/rounds/{draft['id']}/publish")).json()
            assert published["status"] == "published"
            again = await c.post(f"/rounds/{draft['id']}/publish")
            assert again.status_code == 200
            matches = (await c.get("/matches", params={"program_id": program["id"]})).json()
            assert matches["total"] == 2
            by_mentee = {m["members"][1]["person_id"]: m for m in matches["items"]}

            # Both sides accept lead2's match: it activates.
            m2 = by_mentee["lead2"]
            mentor2 = m2["members"][0]["person_id"]
            outsider = await c.post(
                f"/matches/{m2['id']}/answer", json={"accept": True}, headers=bearer("ceo")
            )
            assert outsider.status_code == 404
            for pid in (mentor2, "lead2"):
                answered = await c.post(
                    f"/matches/{m2['id']}/answer",
                    json={"accept": True},
                    headers=bearer(pid),
                )
                assert answered.status_code == 200, answered.text
            assert answered.json()["state"] == "active"
            late = await c.post(
                f"/matches/{m2['id']}/answer",
                json={"accept": False},
                headers=bearer("lead2"),
            )
            assert late.status_code == 409

            async def activated() -> list[str]:
                types = await match_events(stack, m2["id"])
                return types if "mentoring.match.activated" in types else []

            types = await eventually(activated)
            assert types == [
                "mentoring.match.proposed",
                "mentoring.match.accepted",
                "mentoring.match.accepted",
                "mentoring.match.activated",
            ]

            # lead1 declines: the match is declined and lead1 is back in the pool.
            m1 = by_mentee["lead1"]
            declined = (
                await c.post(
                    f"/matches/{m1['id']}/answer",
                    json={"accept": False},
                    headers=bearer("lead1"),
                )
            ).json()
            assert declined["state"] == "declined"
            rerun = (await c.post(f"/programs/{program['id']}/rounds")).json()
            assert rerun["proposal_count"] == 1
            rerun_pairs = (await c.get(f"/rounds/{rerun['id']}/proposals")).json()["items"]
            assert rerun_pairs[0]["members"][1]["person_id"] == "lead1"
            assert rerun_pairs[0]["members"][0]["person_id"] != m1["members"][0]["person_id"]

            # HR moves lead2 under their mentor: same reporting chain -> flagged.
            moved = {**next(p for p in ORG if p["person_id"] == "lead2"), "manager_id": mentor2}
            assert (await c.post("/people/import", json=[moved])).json()["accepted"] == 1

            async def flagged() -> list[str]:
                types = await match_events(stack, m2["id"])
                return types if "mentoring.match.flagged" in types else []

            await eventually(flagged)
            assert (await c.get(f"/matches/{m2['id']}")).json()["state"] == "flagged"
