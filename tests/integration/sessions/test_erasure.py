"""Right to erasure in sessions: after ``hr.person.erased`` (consumed by the real worker
process) no document in any sessions collection contains the person's id; their
private data is gone and what the other member shares keeps only a pseudonym."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from services.sessions.erasure import pseudonym
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonErased
from shared.contracts.registry import HR_PEOPLE
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.support.processes import running
from tools.localstack import LocalStack

from .conftest import SessionsHarness

pytestmark = pytest.mark.integration

GONE, KEEP, ADMIN = "er-gone", "er-keep", "er-admin"
GONE_TEXT = "GONE-PRIVATE-TEXT"


def _text(who: str, what: str) -> str:
    """Text only the erased person wrote carries GONE_TEXT; the other member's does not."""
    return f"{GONE_TEXT} {what}" if who == GONE else f"kept {what}"


async def _ok(s: SessionsHarness, who: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await s.client.post(path, json=body, headers=s.as_(who))
    assert response.status_code in (200, 201), f"{path}: {response.text}"
    result: dict[str, Any] = response.json()
    return result


async def test_an_erased_person_leaves_no_trace_in_any_sessions_collection(
    sessions: SessionsHarness,
    stack: LocalStack,
    database_name: str,
    log_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APP_DATADIR", str(log_dir / "faust-data"))  # not in the work tree
    s = sessions
    await s.open_program("prog-er", admin_ids=(ADMIN, GONE))
    rel = await s.start_relationship(
        program_id="prog-er", members=((GONE, "mentor"), (KEEP, "mentee"))
    )
    now = s.clock.now
    soon = {"starts_at": (now + timedelta(hours=1)).isoformat(), "duration_minutes": 30}
    meeting = await _ok(s, GONE, f"/relationships/{rel}/meetings", soon)
    mid = meeting["id"]
    await _ok(s, GONE, f"/meetings/{mid}/agenda", {"text": "agenda by gone"})
    await _ok(s, GONE, f"/meetings/{mid}/notes", {"text": GONE_TEXT, "private": True})
    await _ok(s, GONE, f"/meetings/{mid}/notes", {"text": GONE_TEXT + " shared"})
    await _ok(s, KEEP, f"/meetings/{mid}/notes", {"text": "kept shared note"})
    await _ok(
        s,
        GONE,
        f"/relationships/{rel}/series",
        {
            "first_date": (now + timedelta(days=3)).date().isoformat(),
            "local_time": "10:00",
            "duration_minutes": 30,
        },
    )
    today = now.date().isoformat()
    tomorrow = (now + timedelta(days=1)).date().isoformat()
    for who in (GONE, KEEP):
        await _ok(s, who, f"/relationships/{rel}/time-logs", {"minutes": 20, "spent_on": today})
        await _ok(
            s,
            who,
            f"/relationships/{rel}/action-items",
            {"owner_id": who, "description": _text(who, "item"), "due_on": tomorrow},
        )
        await _ok(
            s,
            who,
            "/journal",
            {"relationship_id": rel, "kind": "small_win", "text": _text(who, "journal")},
        )
    await _ok(s, GONE, f"/relationships/{rel}/goals", {"title": GONE_TEXT, "personal": True})
    await _ok(s, GONE, f"/relationships/{rel}/goals", {"title": "shared goal"})
    s.clock.advance(timedelta(hours=2))
    await _ok(s, KEEP, f"/meetings/{mid}/complete", {"attended_ids": [GONE, KEEP]})
    for who in (GONE, KEEP):
        await _ok(
            s,
            who,
            f"/meetings/{mid}/feedback",
            {"rating": 4, "was_useful": True, "comment": _text(who, "feedback")},
        )
    await _ok(s, GONE, f"/relationships/{rel}/end", {"comment": GONE_TEXT})

    db = s.runtime.db

    async def traces() -> list[str]:
        found = []
        for name in await db.list_collection_names():
            for doc in await db[name].find({}).to_list():
                text = json.dumps(doc, default=str)
                if GONE in text or GONE_TEXT in text:
                    found.append(f"{name}:{doc['_id']}")
        return found

    assert await traces()  # there is something to erase
    producer = EventProducer(stack.bootstrap_servers, service="hr")
    with running(
        stack,
        "sessions",
        "worker",
        database=database_name,
        log_dir=log_dir,
        kafka_consumer_group=f"sessions-{uuid.uuid4().hex[:8]}",
    ):
        try:
            await producer.publish(
                OutgoingMessage.for_event(
                    HR_PEOPLE.name,
                    Envelope.wrap(PersonErased(person_id=GONE), source="/hr", subject=GONE),
                )
            )
        finally:
            producer.close()
        for _ in range(240):
            if not await traces():
                break
            await asyncio.sleep(0.25)
    assert await traces() == []

    alias = pseudonym(GONE)
    kept = await s.client.get(f"/relationships/{rel}", headers=s.as_(KEEP))
    assert kept.status_code == 200
    assert {m["person_id"] for m in kept.json()["members"]} == {alias, KEEP}
    assert kept.json()["ended_by"] == alias
    seen = (await s.client.get(f"/meetings/{mid}", headers=s.as_(KEEP))).json()
    assert seen["participant_ids"] == [alias, KEEP] and seen["attended_ids"] == sorted(
        [alias, KEEP]
    )
    assert [n["text"] for n in seen["shared_notes"]] == ["kept shared note"]
    feedback = (await s.client.get(f"/meetings/{mid}/feedback", headers=s.as_(KEEP))).json()
    assert {(f["author_id"], f["comment"]) for f in feedback} == {
        (alias, ""),
        (KEEP, _text(KEEP, "feedback")),
    }
    journal = (await s.client.get("/journal", headers=s.as_(KEEP))).json()
    assert [e["author_id"] for e in journal["items"]] == [KEEP]
    spent = (await s.client.get(f"/relationships/{rel}/time-spent", headers=s.as_(KEEP))).json()
    assert spent["total_minutes"] == 20
    listed = await s.client.get("/meetings", headers=s.as_(KEEP))
    assert listed.json()["total"] >= 1
    assert await db.agenda_rows.count_documents({"person_id": alias}) >= 1
    report = await s.client.get(
        "/hr/programs/prog-er/aggregates",
        params={"first_day": today, "last_day": today},
        headers=s.as_(ADMIN, "program_admin"),
    )
    assert report.status_code == 200
