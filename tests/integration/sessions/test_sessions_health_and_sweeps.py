"""Health and overdue commitments follow time; the time is injected, never slept."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from services.sessions.action_items import sweep_overdue
from services.sessions.health import sweep as sweep_health
from shared.contracts.registry import SESSIONS
from tools.localstack import LocalStack
from tools.topics import read_topic

from .conftest import SessionsHarness

pytestmark = pytest.mark.integration

MENTOR, MENTEE = "p-mentor", "p-mentee"


async def _events(stack: LocalStack, subject: str, event_type: str) -> list[dict]:
    records = await read_topic(stack.bootstrap_servers, SESSIONS.name)
    bodies = [json.loads(r.value) for r in records if r.key == subject.encode()]
    unique = {b["id"]: b for b in bodies if b["type"] == event_type}  # at-least-once: dedupe
    return list(unique.values())


async def test_missed_cadence_turns_health_at_risk_and_announces_it_once(
    sessions: SessionsHarness, stack: LocalStack
) -> None:
    s = sessions
    rel_id = await s.start_relationship(started_days_ago=1, cadence_days=14)
    now = s.clock.now
    assert (await sweep_health(s.work(now))).get("healthy") >= 1

    later = now + timedelta(days=20)  # 19+ days since the start > 14 x 1.25, < 14 x 2
    counts = await sweep_health(s.work(later))
    assert counts.get("at_risk") == 1
    again = await sweep_health(s.work(later + timedelta(hours=1)))
    assert again.get("at_risk") == 1  # no second change, no second event

    rel = await s.client.get(f"/relationships/{rel_id}", headers=s.as_(MENTEE))
    assert rel.json()["health"] == {"state": "at_risk", "reasons": ["cadence_missed"]}
    await s.drain_outbox()
    changed = await _events(stack, rel_id, "sessions.health.changed")
    assert len(changed) == 1
    data = changed[0]["data"]
    assert data["state"] == "at_risk" and data["previous_state"] == "healthy"
    assert data["reason_codes"] == ["cadence_missed"]
    assert sorted(data["member_ids"]) == [MENTEE, MENTOR]


async def test_overdue_commitment_is_announced_once_by_the_sweep(
    sessions: SessionsHarness, stack: LocalStack
) -> None:
    s = sessions
    rel_id = await s.start_relationship()
    due_on = s.clock.now.date() + timedelta(days=2)
    created = await s.client.post(
        f"/relationships/{rel_id}/action-items",
        json={"owner_id": MENTEE, "description": "read the AI primer", "due_on": str(due_on)},
        headers=s.as_(MENTOR),
    )
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["status"] == "open" and item["overdue"] is False
    kept = await s.client.post(
        f"/relationships/{rel_id}/action-items",
        json={"owner_id": MENTOR, "description": "share slides", "due_on": str(due_on)},
        headers=s.as_(MENTOR),
    )
    done = await s.client.post(f"/action-items/{kept.json()['id']}/complete", headers=s.as_(MENTOR))
    assert done.json()["status"] == "done"

    assert await sweep_overdue(s.work()) == []
    after = s.clock.now + timedelta(days=4)
    assert await sweep_overdue(s.work(after)) == [item["id"]]
    assert await sweep_overdue(s.work(after)) == []

    s.clock.advance(timedelta(days=4))
    listed = await s.client.get(
        f"/relationships/{rel_id}/action-items", params={"status": "open"}, headers=s.as_(MENTEE)
    )
    assert [(i["id"], i["overdue"]) for i in listed.json()["items"]] == [(item["id"], True)]
    await s.drain_outbox()
    overdue = await _events(stack, rel_id, "sessions.action_item.overdue")
    assert [e["data"]["action_item_id"] for e in overdue] == [item["id"]]
    assert "read the AI primer" not in json.dumps(overdue)


async def test_member_ends_early_and_closing_survey_is_requested(
    sessions: SessionsHarness, stack: LocalStack
) -> None:
    s = sessions
    rel_id = await s.start_relationship()
    ended = await s.client.post(
        f"/relationships/{rel_id}/end", json={"comment": "private reason"}, headers=s.as_(MENTEE)
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended"
    assert ended.json()["closing_survey_requested"] is True
    assert "private reason" not in ended.text
    twice = await s.client.post(f"/relationships/{rel_id}/end", json={}, headers=s.as_(MENTOR))
    assert twice.status_code == 409
    await s.drain_outbox()
    survey = await _events(stack, rel_id, "sessions.relationship.closing_survey_requested")
    assert len(survey) == 1
