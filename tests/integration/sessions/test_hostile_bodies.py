"""Hostile bodies against every write operation of the running sessions API: a 4xx with
a JSON answer, never a 5xx, over one kept-alive connection (see tests/support/hostile_bodies).

The probe works on real objects: a relationship of the caller's (delivered as an
activated match), a meeting, goal, action item, series and journal entry created
through the API, and a flash offer of the caller's (in a flash program delivered as
events) that the partner booked. Every operation starts from a valid body naming them, so a hostile
value in one field reaches validation and the service code, not only a 404.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.sessions.api import create_app
from services.sessions.domain.pulses import pulse_id_for
from tests.support.auth import bearer
from tests.support.hostile_bodies import probe, write_operations
from tests.support.processes import running
from tools.localstack import LocalStack

from .conftest import SessionsHarness

pytestmark = pytest.mark.integration

CALLER, PARTNER = "fuzz-admin", "p-mentee"
FLASH_PROGRAM = "fuzz-flash"


def _created(client: httpx.Client, path: str, body: dict[str, Any]) -> str:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _seed(client: httpx.Client, relationship_id: str, now: datetime) -> dict[str, str]:
    """Objects of the caller's relationship, by the path parameter that names each."""
    rel = f"/relationships/{relationship_id}"
    in_a_week = (now + timedelta(days=7)).date().isoformat()
    meeting_id = _created(client, f"{rel}/meetings", _meeting(now))
    goal_id = _created(client, f"{rel}/goals", {"title": "Speak up in meetings"})
    return {
        "relationship_id": relationship_id,
        "meeting_id": meeting_id,
        "goal_id": goal_id,
        "item_id": _created(client, f"{rel}/action-items", _action_item(now)),
        "series_id": _created(client, f"{rel}/series", _series(in_a_week)),
        "entry_id": _created(client, "/journal", _journal(relationship_id)),
        "pulse_id": pulse_id_for(relationship_id, 1),  # none yet: valid bodies answer 404
        "program_id": FLASH_PROGRAM,
        "offer_id": _offered(client, now),
    }


def _offered(client: httpx.Client, now: datetime) -> str:
    """An offer of the caller's, booked by the partner (so that cancelling reaches it)."""
    response = client.post(f"/programs/{FLASH_PROGRAM}/offers", json=_offer(now))
    assert response.status_code == 201, response.text
    offer_id = str(response.json()[0]["id"])
    booked = client.post(f"/offers/{offer_id}/booking", headers=bearer(PARTNER))
    assert booked.status_code == 201, booked.text
    return offer_id


def _meeting(now: datetime) -> dict[str, Any]:
    return {"starts_at": (now + timedelta(days=3)).isoformat(), "duration_minutes": 45}


def _action_item(now: datetime, **references: str) -> dict[str, Any]:
    due_on = (now + timedelta(days=10)).date().isoformat()
    return {"owner_id": CALLER, "description": "Read the guide", "due_on": due_on, **references}


def _series(first_date: str) -> dict[str, Any]:
    return {"first_date": first_date, "local_time": "10:00", "duration_minutes": 30}


def _journal(relationship_id: str) -> dict[str, Any]:
    return {"relationship_id": relationship_id, "kind": "small_win", "text": "Led the call"}


def valid_bodies(seeded: dict[str, str], now: datetime) -> dict[str, dict[str, Any]]:
    """A valid body of each request model, naming the seeded objects."""
    today = now.date()
    return {
        "MeetingCreate": _meeting(now),
        "MeetingReschedule": {**_meeting(now + timedelta(days=1)), "duration_minutes": 30},
        "MeetingCancel": {"reason": "travel"},
        "MeetingComplete": {"attended_ids": [CALLER, PARTNER]},
        "MeetingNoShow": {"absent_ids": [PARTNER]},
        "AgendaItemCreate": {"text": "Where I got stuck"},
        "NoteCreate": {"text": "Try the pairing idea", "private": False},
        "FeedbackCreate": {"rating": 4, "was_useful": True, "comment": "helpful"},
        "RelationshipEnd": {"comment": "we reached our goals"},
        "SlotQuery": _slot_query(today),
        "SeriesCreate": {**_series((today + timedelta(days=14)).isoformat()), "interval_weeks": 2},
        "SeriesCancel": {"reason": "travel"},
        "GoalCreate": {"title": "Give a talk", "personal": False},
        "ActionItemCreate": _action_item(
            now, meeting_id=seeded["meeting_id"], goal_id=seeded["goal_id"]
        ),
        "JournalEntryCreate": {**_journal(seeded["relationship_id"]), "goal_id": seeded["goal_id"]},
        "JournalSharing": {"shared": True},
        "TimeLogCreate": {
            "minutes": 30,
            "spent_on": today.isoformat(),
            "meeting_id": seeded["meeting_id"],
        },
        "OfferCreate": _offer(now),
        "BookingCancel": {"reason": "travel"},
        "SurveyAnswerCreate": {
            "overall": 4,
            "partner_helpfulness": 5,
            "goals_met": "partly",
            "would_recommend": True,
            "would_continue": False,
        },
        "PulseAnswerCreate": {
            "comfort": 4,
            "psychological_safety": 3,
            "would_continue": True,
            "note": "all fine",
        },
    }


def _offer(now: datetime) -> dict[str, Any]:
    starts_at = (now + timedelta(days=5)).isoformat()
    slots = [{"starts_at": starts_at, "minutes": 30}]
    return {"topic": "Public speaking", "time_zone": "Europe/Berlin", "slots": slots}


def _slot_query(today: date) -> dict[str, Any]:
    hours = {"person_id": CALLER, "start": "09:00", "end": "17:00", "time_zone": "Europe/Berlin"}
    return {
        "first_day": (today + timedelta(days=1)).isoformat(),
        "last_day": (today + timedelta(days=14)).isoformat(),
        "working_hours": [hours],
    }


def with_examples(openapi: dict[str, Any], bodies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The document with each request model's valid body as its example (every one named)."""
    schemas = openapi["components"]["schemas"]
    missing = [n for n in schemas if n.endswith(_REQUEST_SUFFIXES) and n not in bodies]
    assert not missing, f"no valid body for {missing}"
    for name, body in bodies.items():
        schemas[name]["examples"] = [body]
    return openapi


_REQUEST_SUFFIXES = ("Create", "Reschedule", "Cancel", "Complete", "NoShow", "End", "Sharing")


async def test_sessions_answers_every_hostile_body_with_a_4xx(
    sessions: SessionsHarness, stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    relationship_id = await sessions.start_relationship(
        members=((CALLER, "mentor"), (PARTNER, "mentee"))
    )
    await sessions.open_flash_program(FLASH_PROGRAM, enrolled=(CALLER, PARTNER))
    now = sessions.clock.now
    headers = bearer(CALLER, "program_admin", "employee")
    with running(stack, "sessions", "api", database=database_name, log_dir=log_dir) as api:
        base = f"http://127.0.0.1:{api['port']}"
        with httpx.Client(base_url=base, headers=headers, timeout=20) as client:
            seeded = _seed(client, relationship_id, now)
            openapi = with_examples(create_app().openapi(), valid_bodies(seeded, now))
            result = probe(client, write_operations(openapi, seeded))
    (log_dir / "sessions-hostile-inputs.md").write_text(result.table())
    print(result.table())
    assert not result.server_errors, "\n".join(result.server_errors[:20])
    reached = [s for answers in result.answers.values() for s in answers if s < 300 or s == 409]
    assert reached, "no hostile request reached the service (all refused before it)"
