"""Who may call what on the sessions API: one expected status per route and role.

The matrix is checked against the app's route table, so a new route without a rule
fails here. Roles: E (employee, a member of the relationship; enrolled in the flash
program and the host of its offers), G (the other member, enrolled too: the guest who
books), O (another employee),
A (program admin of the relationship's program), B (program admin of another program),
H (HR analyst), S (a service), - (no token). Calls run in the listed order
(destructive ones last). A wrong role is 403; another person's object, or a program
the caller does not administer, is 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from services.sessions.domain.pulses import pulse_id_for
from tests.support.auth import bearer

from .conftest import SessionsHarness

pytestmark = pytest.mark.integration

MENTOR, MENTEE = "p-mentor", "p-mentee"
ROLE_TOKENS = {
    "E": (MENTOR,),
    "G": (MENTEE,),
    "O": ("emp-o",),
    "A": ("adm-a", "program_admin"),
    "B": ("adm-b", "program_admin"),
    "H": ("hr-h", "hr_analyst"),
    "S": ("svc-reports", "service"),
}
#: Routes only a member may call: everyone else is refused by role (403) or object (404).
MEMBER_ONLY = [("-", 401), ("O", 404), ("A", 403), ("B", 403), ("H", 403), ("S", 403)]
#: Summaries a member, an admin of the program or a service may read.
SUMMARY = [("-", 401), ("O", 404), ("B", 404), ("H", 403), ("A", 200), ("S", 200), ("E", 200)]
#: The junior's private pulse check (E is the junior: the mentor of a reverse-mentoring
#: pair): to everyone else, admins and services included, it does not exist.
OWN_PULSE = [("-", 401), ("H", 403), ("O", 404), ("A", 404), ("B", 404), ("S", 404)]
#: Lists of one's own things (another employee gets an empty page).
OWN_LIST = [("-", 401), ("A", 403), ("H", 403), ("S", 403), ("O", 200), ("E", 200)]

# (method, path template) -> ordered [(role, expected status)].
MATRIX: dict[tuple[str, str], list[tuple[str, int]]] = {
    ("GET", "/healthz"): [("-", 200)],
    ("GET", "/readyz"): [("-", 200)],
    ("GET", "/metrics"): [("-", 200)],
    ("GET", "/programs/{program_id}"): [
        ("-", 401),
        ("H", 403),
        ("B", 404),
        ("A", 200),
        ("O", 200),
        ("E", 200),
        ("S", 200),
    ],
    ("GET", "/relationships"): [
        ("-", 401),
        ("H", 403),
        ("B", 404),
        ("A", 200),
        ("O", 200),
        ("E", 200),
        ("S", 200),
    ],
    ("GET", "/relationships/{relationship_id}"): SUMMARY,
    ("GET", "/meetings"): [
        ("-", 401),
        ("H", 403),
        ("B", 404),
        ("A", 200),
        ("O", 200),
        ("E", 200),
        ("S", 200),
    ],
    ("GET", "/meetings/{meeting_id}"): SUMMARY,
    ("GET", "/series/{series_id}"): SUMMARY,
    ("POST", "/relationships/{relationship_id}/meetings"): [*MEMBER_ONLY, ("E", 201)],
    ("POST", "/relationships/{relationship_id}/slots"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/relationships/{relationship_id}/series"): [*MEMBER_ONLY, ("E", 201)],
    ("POST", "/relationships/{relationship_id}/time-logs"): [*MEMBER_ONLY, ("E", 201)],
    ("GET", "/relationships/{relationship_id}/time-spent"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/meetings/{meeting_id}/reschedule"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/meetings/{meeting_id}/confirm"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/meetings/{meeting_id}/agenda"): [*MEMBER_ONLY, ("E", 201)],
    ("POST", "/meetings/{meeting_id}/agenda/{item_id}/done"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/meetings/{meeting_id}/notes"): [*MEMBER_ONLY, ("E", 201)],
    ("GET", "/meetings/{meeting_id}/invite.ics"): [*MEMBER_ONLY, ("E", 200)],
    ("GET", "/series/{series_id}/invite.ics"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/meetings/{meeting_id}/complete"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/meetings/{meeting_id}/no-show"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/meetings/{meeting_id}/feedback"): [*MEMBER_ONLY, ("E", 201)],
    ("GET", "/meetings/{meeting_id}/feedback"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/relationships/{relationship_id}/goals"): [*MEMBER_ONLY, ("E", 201)],
    ("GET", "/relationships/{relationship_id}/goals"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/goals/{goal_id}/achieve"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/goals/{goal_id}/drop"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/relationships/{relationship_id}/action-items"): [*MEMBER_ONLY, ("E", 201)],
    ("GET", "/relationships/{relationship_id}/action-items"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/action-items/{item_id}/complete"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/action-items/{item_id}/drop"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/journal"): [*MEMBER_ONLY, ("E", 201)],
    ("GET", "/journal"): OWN_LIST,
    ("GET", "/journal/stats"): OWN_LIST,
    ("PUT", "/journal/{entry_id}/sharing"): [*MEMBER_ONLY, ("E", 200)],
    ("GET", "/hr/programs/{program_id}/aggregates"): [
        ("-", 401),
        ("E", 403),
        ("O", 403),
        ("B", 404),
        ("A", 200),
        ("H", 200),
        ("S", 200),
    ],
    ("GET", "/pulses/mine"): OWN_LIST,
    ("GET", "/pulses/{pulse_id}"): [*OWN_PULSE, ("E", 200)],
    ("POST", "/pulses/{pulse_id}/answer"): [*OWN_PULSE, ("E", 201)],
    ("POST", "/programs/{program_id}/offers"): [*MEMBER_ONLY, ("E", 201)],
    ("GET", "/programs/{program_id}/offers"): SUMMARY,
    ("GET", "/offers/{offer_id}"): SUMMARY,
    ("POST", "/offers/{offer_id}/withdraw"): [*MEMBER_ONLY, ("G", 404), ("E", 200)],
    # the host may not book their own offer (422); the guest may
    ("POST", "/offers/{offer_id}/booking"): [*MEMBER_ONLY, ("E", 422), ("G", 201)],
    ("POST", "/offers/{offer_id}/booking/cancel"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/meetings/{meeting_id}/cancel"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/series/{series_id}/cancel"): [*MEMBER_ONLY, ("E", 200)],
    ("POST", "/relationships/{relationship_id}/end"): [*MEMBER_ONLY, ("E", 200)],
    # after the end: the closing survey
    ("POST", "/relationships/{relationship_id}/survey"): [*MEMBER_ONLY, ("E", 201)],
    ("GET", "/relationships/{relationship_id}/survey"): [*MEMBER_ONLY, ("E", 200)],
}


FLASH_PROGRAM = "prog-flash"


async def _flash_offers(s: SessionsHarness, now: datetime) -> list[str]:
    """A flash program of admin A with E and G enrolled; three offers of E's (to read and
    book, to withdraw, and one G booked, to cancel)."""
    await s.open_flash_program(FLASH_PROGRAM, enrolled=(MENTOR, MENTEE), admin_ids=("adm-a",))
    starts = [now + timedelta(days=5, hours=h) for h in range(3)]
    slots = [{"starts_at": t.isoformat(), "minutes": 30} for t in starts]
    body = {"topic": "Rust", "time_zone": "Europe/Berlin", "slots": slots}
    response = await s.client.post(
        f"/programs/{FLASH_PROGRAM}/offers", json=body, headers=s.as_(MENTOR)
    )
    assert response.status_code == 201, response.text
    offer_ids = [o["id"] for o in response.json()]
    booked = await s.client.post(f"/offers/{offer_ids[2]}/booking", headers=s.as_(MENTEE))
    assert booked.status_code == 201, booked.text
    return offer_ids


async def _created(s: SessionsHarness, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await s.client.post(path, json=body, headers=s.as_(MENTOR))
    assert response.status_code in (200, 201), f"{path}: {response.text}"
    result: dict[str, Any] = response.json()
    return result


async def test_every_route_answers_each_role_as_the_access_rules_say(
    sessions: SessionsHarness,
) -> None:
    s = sessions
    app = s.client._transport.app  # type: ignore[attr-defined]
    app_routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert app_routes == set(MATRIX), (
        f"routes without an access rule: {sorted(app_routes - set(MATRIX))}; "
        f"rules for missing routes: {sorted(set(MATRIX) - app_routes)}"
    )

    await s.open_program("prog-m", admin_ids=("adm-a",))
    await s.open_program("prog-other", admin_ids=("adm-b",))
    rel = await s.start_relationship(program_id="prog-m")
    now = s.clock.now
    soon = {"starts_at": (now + timedelta(hours=1)).isoformat(), "duration_minutes": 30}
    later = {"starts_at": (now + timedelta(days=2)).isoformat(), "duration_minutes": 30}
    meetings_path = f"/relationships/{rel}/meetings"
    main = await _created(s, meetings_path, later)
    to_complete = await _created(s, meetings_path, soon)
    to_miss = await _created(s, meetings_path, soon)
    with_feedback = await _created(s, meetings_path, soon)
    tomorrow = (now + timedelta(days=1)).date()
    series = await _created(
        s,
        f"/relationships/{rel}/series",
        {
            "first_date": (now + timedelta(days=3)).date().isoformat(),
            "local_time": "10:00",
            "duration_minutes": 30,
        },
    )
    agenda = await _created(s, f"/meetings/{main['id']}/agenda", {"text": "topic"})
    goals = [await _created(s, f"/relationships/{rel}/goals", {"title": t}) for t in "gh"]
    item_body = {"owner_id": MENTOR, "description": "do it", "due_on": tomorrow.isoformat()}
    items = [await _created(s, f"/relationships/{rel}/action-items", item_body) for _ in "ab"]
    entry = await _created(
        s, "/journal", {"relationship_id": rel, "kind": "small_win", "text": "a win"}
    )
    offer_ids = await _flash_offers(s, now)
    s.clock.advance(timedelta(hours=2))
    await _created(
        s, f"/meetings/{with_feedback['id']}/complete", {"attended_ids": [MENTOR, MENTEE]}
    )

    ids = {
        "program_id": "prog-m",
        "relationship_id": rel,
        "meeting_id": main["id"],
        "series_id": series["id"],
        "item_id": agenda["agenda"][0]["id"],
        "entry_id": entry["id"],
        "pulse_id": pulse_id_for(rel, 1),  # asked after the meeting held above
    }
    meeting_for = {
        "/meetings/{meeting_id}/complete": to_complete["id"],
        "/meetings/{meeting_id}/no-show": to_miss["id"],
        "/meetings/{meeting_id}/feedback": with_feedback["id"],
    }
    item_for = {
        "/action-items/{item_id}/complete": items[0]["id"],
        "/action-items/{item_id}/drop": items[1]["id"],
    }
    goal_for = {"/goals/{goal_id}/achieve": goals[0]["id"], "/goals/{goal_id}/drop": goals[1]["id"]}
    program_for = {"/programs/{program_id}/offers": FLASH_PROGRAM}
    offer_for = {
        "/offers/{offer_id}/withdraw": offer_ids[1],
        "/offers/{offer_id}/booking/cancel": offer_ids[2],
    }
    today = s.clock.now.date().isoformat()
    bodies: dict[str, Any] = {
        "/relationships/{relationship_id}/meetings": later,
        "/relationships/{relationship_id}/slots": {
            "first_day": tomorrow.isoformat(),
            "last_day": (tomorrow + timedelta(days=7)).isoformat(),
        },
        "/relationships/{relationship_id}/series": {
            "first_date": (now + timedelta(days=4)).date().isoformat(),
            "local_time": "11:00",
            "duration_minutes": 30,
        },
        "/relationships/{relationship_id}/time-logs": {"minutes": 30, "spent_on": today},
        "/meetings/{meeting_id}/reschedule": {"starts_at": (now + timedelta(days=3)).isoformat()},
        "/meetings/{meeting_id}/agenda": {"text": "another topic"},
        "/meetings/{meeting_id}/notes": {"text": "mine only", "private": True},
        "/meetings/{meeting_id}/complete": {"attended_ids": [MENTOR, MENTEE]},
        "/meetings/{meeting_id}/no-show": {"absent_ids": [MENTEE]},
        "/meetings/{meeting_id}/feedback": {"rating": 4, "was_useful": True},
        "/relationships/{relationship_id}/goals": {"title": "grow"},
        "/relationships/{relationship_id}/action-items": item_body,
        "/journal": {"relationship_id": rel, "kind": "small_win", "text": "another"},
        "/journal/{entry_id}/sharing": {"shared": True},
        "/pulses/{pulse_id}/answer": {
            "comfort": 4,
            "psychological_safety": 4,
            "would_continue": True,
        },
        "/programs/{program_id}/offers": {
            "topic": "Rust",
            "time_zone": "Europe/Berlin",
            "slots": [{"starts_at": (now + timedelta(days=6)).isoformat(), "minutes": 30}],
        },
        "/offers/{offer_id}/booking/cancel": {},
        "/meetings/{meeting_id}/cancel": {},
        "/series/{series_id}/cancel": {},
        "/relationships/{relationship_id}/end": {},
        "/relationships/{relationship_id}/survey": {
            "overall": 4,
            "partner_helpfulness": 5,
            "goals_met": "yes",
            "would_recommend": True,
            "would_continue": True,
        },
    }
    params: dict[str, dict[str, str]] = {
        "/relationships": {"program_id": "prog-m"},
        "/meetings": {"relationship_id": rel},
        "/hr/programs/{program_id}/aggregates": {"first_day": today, "last_day": today},
    }

    tokens: dict[str, dict[str, str]] = {r: bearer(*args) for r, args in ROLE_TOKENS.items()}
    tokens["-"] = {}
    failures = []
    for (method, template), expectations in MATRIX.items():
        values = {
            **ids,
            "meeting_id": meeting_for.get(template, ids["meeting_id"]),
            "item_id": item_for.get(template, ids["item_id"]),
            "goal_id": goal_for.get(template, ""),
            "program_id": program_for.get(template, ids["program_id"]),
            "offer_id": offer_for.get(template, offer_ids[0]),
        }
        path = template.format(**values)
        for role, expected in expectations:
            kwargs: dict[str, Any] = {"headers": tokens[role], "params": params.get(template)}
            if template in bodies and method in ("POST", "PUT"):
                kwargs["json"] = bodies[template]
            response = await s.client.request(method, path, **kwargs)
            if response.status_code != expected:
                failures.append(
                    f"{method} {template} as {role}: {response.status_code} "
                    f"(expected {expected}) {response.text[:160]}"
                )
    assert not failures, "\n".join(failures)

    audited = await s.runtime.db.audit_log.find({"action": "aggregates.read"}).to_list()
    assert sorted(e["actor"] for e in audited) == ["adm-a", "hr-h", "svc-reports"]

    admin_view = await s.client.get(
        "/meetings", params={"relationship_id": rel}, headers=tokens["A"]
    )
    assert admin_view.json()["total"] >= 4
    assert all(set(m) == set(admin_view.json()["items"][0]) for m in admin_view.json()["items"])
    assert "agenda" not in admin_view.json()["items"][0]
    admin_rels = await s.client.get(
        "/relationships", params={"program_id": "prog-m"}, headers=tokens["A"]
    )
    assert [r["id"] for r in admin_rels.json()["items"]] == [rel]
    assert (await s.client.get("/relationships", headers=tokens["O"])).json()["total"] == 0
