"""Private notes and private journal entries reach their author only: never the other
member, never HR aggregates, never an event."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.contracts.registry import SESSIONS
from tools.localstack import LocalStack
from tools.topics import read_topic

from .conftest import SessionsHarness

pytestmark = pytest.mark.integration

MENTOR, MENTEE, HR = "p-mentor", "p-mentee", "p-hr-admin"
SECRET_NOTE = "PRIVATE-NOTE-only-for-the-mentor"
SECRET_JOURNAL = "PRIVATE-JOURNAL-only-for-the-mentor"
SHARED_JOURNAL = "shared journal line"


async def test_private_text_never_reaches_another_member_or_hr(
    sessions: SessionsHarness, stack: LocalStack
) -> None:
    s = sessions
    await s.open_program("prog-privacy", admin_ids=(HR,))
    rel_id = await s.start_relationship(program_id="prog-privacy")
    created = await s.client.post(
        f"/relationships/{rel_id}/meetings",
        json={"starts_at": (s.clock.now + timedelta(hours=2)).isoformat(), "duration_minutes": 30},
        headers=s.as_(MENTOR),
    )
    meeting_id = created.json()["id"]
    for private, text in ((True, SECRET_NOTE), (False, "shared note")):
        r = await s.client.post(
            f"/meetings/{meeting_id}/notes",
            json={"text": text, "private": private},
            headers=s.as_(MENTOR),
        )
        assert r.status_code == 201, r.text
    mine = (await s.client.get(f"/meetings/{meeting_id}", headers=s.as_(MENTOR))).json()
    assert [n["text"] for n in mine["my_private_notes"]] == [SECRET_NOTE]
    theirs = await s.client.get(f"/meetings/{meeting_id}", headers=s.as_(MENTEE))
    assert theirs.json()["my_private_notes"] == []
    assert [n["text"] for n in theirs.json()["shared_notes"]] == ["shared note"]
    assert SECRET_NOTE not in theirs.text

    for shared, text in ((False, SECRET_JOURNAL), (True, SHARED_JOURNAL)):
        r = await s.client.post(
            "/journal",
            json={"relationship_id": rel_id, "kind": "small_win", "text": text, "shared": shared},
            headers=s.as_(MENTOR),
        )
        assert r.status_code == 201, r.text
    own = (await s.client.get("/journal", headers=s.as_(MENTOR))).json()
    assert {e["text"] for e in own["items"]} == {SECRET_JOURNAL, SHARED_JOURNAL}
    other = await s.client.get("/journal", headers=s.as_(MENTEE))
    assert [e["text"] for e in other.json()["items"]] == [SHARED_JOURNAL]
    assert SECRET_JOURNAL not in other.text
    private_id = next(e["id"] for e in own["items"] if e["text"] == SECRET_JOURNAL)
    steal = await s.client.put(
        f"/journal/{private_id}/sharing", json={"shared": True}, headers=s.as_(MENTEE)
    )
    assert steal.status_code == 404
    stats = (await s.client.get("/journal/stats", headers=s.as_(MENTOR))).json()
    assert stats["this_week"] == 2 and stats["streak_weeks"] == 1

    today = s.clock.now.date()
    report = await s.client.get(
        "/hr/programs/prog-privacy/aggregates",
        params={"first_day": today.isoformat(), "last_day": today.isoformat()},
        headers=s.as_(HR, "program_admin"),
    )
    assert report.status_code == 200, report.text
    body = report.json()
    assert SECRET_NOTE not in report.text and SECRET_JOURNAL not in report.text
    assert SHARED_JOURNAL not in report.text
    cell = body["periods"][0]["journal_entries"]
    assert cell == {"value": None, "suppressed": True}  # two people < 5
    not_hr = await s.client.get(
        "/hr/programs/prog-privacy/aggregates",
        params={"first_day": today.isoformat(), "last_day": today.isoformat()},
        headers=s.as_(MENTEE),
    )
    assert not_hr.status_code == 403  # an employee's role may not read aggregates
    other_admin = await s.client.get(
        "/hr/programs/prog-privacy/aggregates",
        params={"first_day": today.isoformat(), "last_day": today.isoformat()},
        headers=s.as_("p-other-admin", "program_admin"),
    )
    assert other_admin.status_code == 404
    as_admin = await s.client.get(f"/meetings/{meeting_id}", headers=s.as_(HR, "program_admin"))
    assert as_admin.status_code == 200, as_admin.text
    assert "shared_notes" not in as_admin.json() and "agenda" not in as_admin.json()
    assert SECRET_NOTE not in as_admin.text and "shared note" not in as_admin.text
    admin_journal = await s.client.get("/journal", headers=s.as_(HR, "program_admin"))
    assert admin_journal.status_code == 403

    await s.drain_outbox()
    on_topic = await read_topic(stack.bootstrap_servers, SESSIONS.name)
    assert all(SECRET_NOTE.encode() not in r.value for r in on_topic)
    assert all(SECRET_JOURNAL.encode() not in r.value for r in on_topic)


async def test_feedback_stays_hidden_until_both_sides_submitted(sessions: SessionsHarness) -> None:
    s = sessions
    rel_id = await s.start_relationship()
    created = await s.client.post(
        f"/relationships/{rel_id}/meetings",
        json={"starts_at": (s.clock.now + timedelta(hours=1)).isoformat(), "duration_minutes": 30},
        headers=s.as_(MENTOR),
    )
    meeting_id = created.json()["id"]
    s.clock.advance(timedelta(hours=2))
    done = await s.client.post(
        f"/meetings/{meeting_id}/complete",
        json={"attended_ids": [MENTOR, MENTEE]},
        headers=s.as_(MENTOR),
    )
    assert done.status_code == 200
    given = await s.client.post(
        f"/meetings/{meeting_id}/feedback",
        json={"rating": 4, "was_useful": True, "comment": "mentor's view"},
        headers=s.as_(MENTOR),
    )
    assert given.status_code == 201, given.text
    twice = await s.client.post(
        f"/meetings/{meeting_id}/feedback",
        json={"rating": 4, "was_useful": True},
        headers=s.as_(MENTOR),
    )
    assert twice.status_code == 409
    hidden = await s.client.get(f"/meetings/{meeting_id}/feedback", headers=s.as_(MENTEE))
    assert hidden.json() == []
    out_of_range = await s.client.post(
        f"/meetings/{meeting_id}/feedback",
        json={"rating": 6, "was_useful": False},
        headers=s.as_(MENTEE),
    )
    assert out_of_range.status_code == 422
    assert out_of_range.json()["detail"][0]["loc"] == ["body", "rating"]
    await s.client.post(
        f"/meetings/{meeting_id}/feedback",
        json={"rating": 5, "was_useful": False},
        headers=s.as_(MENTEE),
    )
    shown = await s.client.get(f"/meetings/{meeting_id}/feedback", headers=s.as_(MENTEE))
    assert [f["author_id"] for f in shown.json()] == [MENTEE, MENTOR]
    logged = await s.client.post(
        f"/relationships/{rel_id}/time-logs",
        json={"minutes": 40, "spent_on": s.clock.now.date().isoformat(), "meeting_id": meeting_id},
        headers=s.as_(MENTEE),
    )
    assert logged.status_code == 201, logged.text
    spent = await s.client.get(f"/relationships/{rel_id}/time-spent", headers=s.as_(MENTOR))
    assert spent.json()["total_minutes"] == 40
