"""Inputs the generated fuzzing cannot reach (it never guesses a real relationship id):
edge values on a member's own objects are refused with 4xx, never a 5xx."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from .conftest import SessionsHarness

pytestmark = pytest.mark.integration

MENTOR = "p-mentor"


async def test_edge_inputs_on_real_objects_are_4xx_not_5xx(sessions: SessionsHarness) -> None:
    s = sessions
    await s.open_program("prog-edge", admin_ids=("adm",))
    rel = await s.start_relationship(program_id="prog-edge")
    now = s.clock.now
    me = s.as_(MENTOR)
    made = await s.client.post(
        f"/relationships/{rel}/meetings",
        json={"starts_at": (now + timedelta(hours=1)).isoformat(), "duration_minutes": 30},
        headers=me,
    )
    mid = made.json()["id"]
    day = now.date()
    probes: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/journal/stats", {"params": {"time_zone": "Not/AZone"}}),
        ("GET", "/journal/stats", {"params": {"time_zone": "../../etc/passwd"}}),
        ("GET", "/meetings", {"params": {"from": "2026-01-01T00:00:00"}}),
        ("GET", "/meetings", {"params": {"to": "2026-01-01T00:00:00", "relationship_id": rel}}),
        (
            "POST",
            f"/relationships/{rel}/slots",
            {"json": {"first_day": "9999-12-31", "last_day": "9999-12-31"}},
        ),
        (
            "POST",
            f"/relationships/{rel}/slots",
            {"json": {"first_day": "0001-01-01", "last_day": "0001-01-02"}},
        ),
        (
            "POST",
            f"/relationships/{rel}/slots",
            {"json": {"first_day": str(day), "last_day": str(day + timedelta(days=3000))}},
        ),
        (
            "POST",
            f"/relationships/{rel}/slots",
            {"json": {"first_day": str(day + timedelta(days=5)), "last_day": str(day)}},
        ),
        (
            "POST",
            f"/relationships/{rel}/slots",
            {
                "json": {
                    "first_day": str(day),
                    "last_day": str(day + timedelta(days=2)),
                    "working_hours": [
                        {"person_id": MENTOR, "time_zone": "UTC", "start": "17:00", "end": "09:00"}
                    ],
                }
            },
        ),
        (
            "POST",
            f"/relationships/{rel}/slots",
            {
                "json": {
                    "first_day": str(day),
                    "last_day": str(day + timedelta(days=2)),
                    "working_hours": [
                        {
                            "person_id": "someone-else",
                            "time_zone": "UTC",
                            "start": "09:00",
                            "end": "17:00",
                            "weekdays": [9, -1],
                        }
                    ],
                }
            },
        ),
        (
            "POST",
            f"/relationships/{rel}/meetings",
            {"json": {"starts_at": "9999-12-31T23:59:00+00:00", "duration_minutes": 480}},
        ),
        (
            "POST",
            f"/relationships/{rel}/meetings",
            {
                "json": {
                    "starts_at": (now + timedelta(days=1)).isoformat(),
                    "duration_minutes": 30,
                    "participant_ids": ["x", "y"],
                }
            },
        ),
        (
            "POST",
            f"/relationships/{rel}/series",
            {
                "json": {
                    "first_date": "9999-12-30",
                    "local_time": "23:30",
                    "duration_minutes": 480,
                    "interval_weeks": 1,
                }
            },
        ),
        (
            "POST",
            f"/relationships/{rel}/series",
            {
                "json": {
                    "first_date": str(day + timedelta(days=2)),
                    "local_time": "10:00",
                    "duration_minutes": 30,
                    "interval_weeks": 1,
                    "until": "9999-12-31",
                }
            },
        ),
        (
            "POST",
            f"/relationships/{rel}/series",
            {
                "json": {
                    "first_date": str(day + timedelta(days=2)),
                    "local_time": "10:00",
                    "duration_minutes": 30,
                    "until": str(day),
                }
            },
        ),
        ("POST", f"/meetings/{mid}/reschedule", {"json": {"starts_at": "9999-12-31T23:59:00Z"}}),
        ("POST", f"/meetings/{mid}/reschedule", {"json": {"starts_at": "0001-01-01T00:00:00Z"}}),
        ("POST", f"/meetings/{mid}/complete", {"json": {"attended_ids": ["nobody"]}}),
        ("POST", f"/meetings/{mid}/no-show", {"json": {"absent_ids": ["nobody"]}}),
        ("POST", f"/meetings/{mid}/agenda/nope/done", {}),
        (
            "POST",
            f"/relationships/{rel}/action-items",
            {"json": {"owner_id": "nobody", "description": "x", "due_on": "9999-12-31"}},
        ),
        (
            "POST",
            f"/relationships/{rel}/action-items",
            {"json": {"owner_id": MENTOR, "description": "x", "due_on": "0001-01-01"}},
        ),
        (
            "POST",
            f"/relationships/{rel}/time-logs",
            {"json": {"minutes": 5, "spent_on": str(day), "meeting_id": "nope"}},
        ),
        (
            "POST",
            "/journal",
            {
                "json": {
                    "relationship_id": rel,
                    "kind": "small_win",
                    "text": "x",
                    "written_on": "0001-01-01",
                }
            },
        ),
        (
            "POST",
            "/journal",
            {
                "json": {
                    "relationship_id": rel,
                    "kind": "small_win",
                    "text": "x",
                    "written_on": "9999-12-31",
                }
            },
        ),
        ("GET", "/journal/stats", {}),
    ]
    admin = s.as_("adm", "program_admin")
    for first, last, period in [
        ("0001-01-01", "0001-01-07", "iso_week"),
        ("9999-12-01", "9999-12-31", "month"),
        ("2026-03-01", "2026-01-01", "iso_week"),
        ("2000-01-01", "2026-01-01", "iso_week"),
    ]:
        params = {"first_day": first, "last_day": last, "period": period}
        probes.append(("GET", "/hr/programs/prog-edge/aggregates", {"params": params}))
    failures = []
    for method, path, kwargs in probes:
        headers = admin if path.startswith("/hr/") else me
        try:
            response = await s.client.request(method, path, headers=headers, **kwargs)
        except Exception as exc:  # the in-process transport re-raises what would be a 500
            failures.append(f"{method} {path} {kwargs}: {exc!r}")
            continue
        if response.status_code >= 500 or response.status_code in (401, 403):
            failures.append(
                f"{method} {path} {kwargs}: {response.status_code} {response.text[:200]}"
            )
    assert not failures, "\n".join(failures)
