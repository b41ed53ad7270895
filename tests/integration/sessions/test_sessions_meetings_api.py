"""Meetings over HTTP against the real database: state machine, calendars, access rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from .conftest import SessionsHarness

pytestmark = pytest.mark.integration

MENTOR, MENTEE, STRANGER = "p-mentor", "p-mentee", "p-stranger"


async def _schedule(s: SessionsHarness, rel_id: str, *, in_days: int = 2) -> dict:
    starts = (s.clock.now + timedelta(days=in_days)).isoformat()
    response = await s.client.post(
        f"/relationships/{rel_id}/meetings",
        json={"starts_at": starts, "duration_minutes": 45, "time_zone": "Europe/Berlin"},
        headers=s.as_(MENTOR),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_illegal_meeting_moves_are_refused_with_409_and_the_reason(
    sessions: SessionsHarness,
) -> None:
    s = sessions
    rel_id = await s.start_relationship()
    meeting = await _schedule(s, rel_id)
    assert meeting["status"] == "scheduled"
    assert meeting["local_starts_at"].endswith(("+01:00", "+02:00"))

    early = await s.client.post(
        f"/meetings/{meeting['id']}/complete",
        json={"attended_ids": [MENTOR, MENTEE]},
        headers=s.as_(MENTEE),
    )
    assert early.status_code == 409
    assert "before it starts" in early.json()["detail"]

    cancelled = await s.client.post(
        f"/meetings/{meeting['id']}/cancel", json={"reason": "conflict"}, headers=s.as_(MENTEE)
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"

    again = await s.client.post(
        f"/meetings/{meeting['id']}/reschedule",
        json={"starts_at": (s.clock.now + timedelta(days=3)).isoformat()},
        headers=s.as_(MENTOR),
    )
    assert again.status_code == 409
    assert again.json()["detail"].startswith("a cancelled meeting cannot be rescheduled")

    # completed once the time has come; then no-show is illegal
    second = await _schedule(s, rel_id, in_days=1)
    s.clock.advance(timedelta(days=1, hours=1))
    done = await s.client.post(
        f"/meetings/{second['id']}/complete",
        json={"attended_ids": [MENTOR, MENTEE]},
        headers=s.as_(MENTOR),
    )
    assert done.status_code == 200, done.text
    no_show = await s.client.post(
        f"/meetings/{second['id']}/no-show", json={"absent_ids": [MENTEE]}, headers=s.as_(MENTOR)
    )
    assert no_show.status_code == 409
    assert "completed meeting cannot be marked as a no-show" in no_show.json()["detail"]


async def test_validation_unknown_ids_and_non_members(sessions: SessionsHarness) -> None:
    s = sessions
    rel_id = await s.start_relationship()
    bad = await s.client.post(
        f"/relationships/{rel_id}/meetings",
        json={"starts_at": "2030-01-01T10:00:00", "duration_minutes": 2},
        headers=s.as_(MENTOR),
    )
    assert bad.status_code == 422
    fields = {tuple(e["loc"]) for e in bad.json()["detail"]}
    assert ("body", "starts_at") in fields and ("body", "duration_minutes") in fields

    past = await s.client.post(
        f"/relationships/{rel_id}/meetings",
        json={"starts_at": (s.clock.now - timedelta(hours=1)).isoformat(), "duration_minutes": 30},
        headers=s.as_(MENTOR),
    )
    assert past.status_code == 422
    assert "future" in past.json()["detail"][0]["msg"]

    missing = await s.client.get("/meetings/nope", headers=s.as_(MENTOR))
    assert missing.status_code == 404
    meeting = await _schedule(s, rel_id)
    for path in (f"/meetings/{meeting['id']}", f"/relationships/{rel_id}"):
        hidden = await s.client.get(path, headers=s.as_(STRANGER))
        assert hidden.status_code == 404, path
    no_token = await s.client.get("/meetings")
    assert no_token.status_code == 401
    assert no_token.headers["WWW-Authenticate"].startswith("Bearer")
    legacy = await s.client.get("/meetings", headers={"X-Person-Id": MENTEE})
    assert legacy.status_code == 401  # the transitional header identifies no one any more

    listed = await s.client.get("/meetings", params={"limit": 1}, headers=s.as_(MENTEE))
    assert listed.status_code == 200
    page = listed.json()
    assert page["total"] == 1 and page["items"][0]["id"] == meeting["id"]
    assert (await s.client.get("/meetings", headers=s.as_(STRANGER))).json()["total"] == 0


async def test_rescheduled_meeting_ics_keeps_its_uid_with_a_higher_sequence(
    sessions: SessionsHarness,
) -> None:
    s = sessions
    rel_id = await s.start_relationship()
    meeting = await _schedule(s, rel_id)
    first = await s.client.get(f"/meetings/{meeting['id']}/invite.ics", headers=s.as_(MENTEE))
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    moved = await s.client.post(
        f"/meetings/{meeting['id']}/reschedule",
        json={"starts_at": (s.clock.now + timedelta(days=4)).isoformat()},
        headers=s.as_(MENTEE),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["sequence"] == 1
    second = await s.client.get(f"/meetings/{meeting['id']}/invite.ics", headers=s.as_(MENTOR))

    before = Calendar.from_ical(first.content).walk("VEVENT")[0]
    after = Calendar.from_ical(second.content).walk("VEVENT")[0]
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") - before.decoded("DTSTART") == timedelta(days=2)


async def test_series_schedules_occurrences_and_has_a_recurring_invitation(
    sessions: SessionsHarness,
) -> None:
    s = sessions
    rel_id = await s.start_relationship()
    first_date = (s.clock.now + timedelta(days=3)).date()
    created = await s.client.post(
        f"/relationships/{rel_id}/series",
        json={
            "first_date": first_date.isoformat(),
            "local_time": "09:00",
            "duration_minutes": 30,
            "interval_weeks": 2,
            "until": (first_date + timedelta(weeks=6)).isoformat(),
        },
        headers={**s.as_(MENTOR), "Idempotency-Key": "series-1"},
    )
    assert created.status_code == 201, created.text
    series = created.json()
    assert len(series["meeting_ids"]) == 4
    ics = await s.client.get(f"/series/{series['id']}/invite.ics", headers=s.as_(MENTEE))
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event["RRULE"]["INTERVAL"] == [2]
    listed = await s.client.get(
        "/meetings", params={"relationship_id": rel_id}, headers=s.as_(MENTEE)
    )
    assert listed.json()["total"] == 4
    cancelled = await s.client.post(
        f"/series/{series['id']}/cancel", json={}, headers=s.as_(MENTEE)
    )
    assert cancelled.json()["status"] == "cancelled"
    still = await s.client.get("/meetings", params={"status": "scheduled"}, headers=s.as_(MENTEE))
    assert still.json()["total"] == 0

    slots = await s.client.post(
        f"/relationships/{rel_id}/slots",
        json={
            "first_day": first_date.isoformat(),
            "last_day": (first_date + timedelta(days=7)).isoformat(),
            "duration_minutes": 60,
            "count": 2,
        },
        headers=s.as_(MENTOR),
    )
    assert slots.status_code == 200, slots.text
    assert len(slots.json()) == 2
