"""The console's pages against stand-in APIs: who may see what, what each form sends
(with the signed-in user's token) and what each page shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

pytest.importorskip("jinja2", reason="the console's templates need jinja2 (a console dependency)")

from fastapi.testclient import TestClient

from services.console.app import create_app
from services.console.session import COOKIE_NAME
from services.console.settings import ConsoleSettings
from tests.unit.console.fake_apis import FakeApis
from tools.dev_issuer import ensure_keys

M = "http://matcher"
PROGRAM = {
    "id": "prg-1",
    "name": "AI for leaders",
    "kind": "reverse_mentoring",
    "matching_mode": "curated",
    "status": "open",
    "description": "",
    "rules": {
        "weights": {
            "skills": 3,
            "goals": 2,
            "cross_department": 1,
            "diversity": 1,
            "availability": 1,
        },
        "require_different_department": False,
        "require_different_business_unit": False,
        "require_shared_language": True,
        "min_overlap_hours": 2,
    },
}
EXPLANATION = {
    "total_score": 2.9,
    "contributions": {
        "skills": {"weight": 3, "raw": 0.8, "value": 2.4},
        "availability": {"weight": 1, "raw": 0.5, "value": 0.5},
    },
    "constraints_satisfied": ["shared_language"],
}
ROUND = {
    "id": "rnd-1",
    "program_id": "prg-1",
    "status": "draft",
    "proposal_count": 1,
    "total_score": 2.9,
    "unmatched": [
        {
            "person_id": "s-london",
            "role": "mentee",
            "reason": "no_feasible_partner",
            "constraint": "overlap_hours",
            "detail": "no mentor shares 2 working hours",
        }
    ],
}
PROPOSAL = {
    "index": 0,
    "locked": False,
    "explanation": EXPLANATION,
    "members": [
        {"person_id": "m-tokyo", "role": "mentor"},
        {"person_id": "s-ny", "role": "mentee"},
    ],
}


@pytest.fixture
def apis() -> FakeApis:
    return FakeApis()


@pytest.fixture
def client(apis: FakeApis, tmp_path: Path) -> Iterator[TestClient]:
    ensure_keys(tmp_path)
    settings = ConsoleSettings(
        matcher_url=M, sessions_url="http://sessions", dev_issuer_dir=tmp_path
    )
    with TestClient(create_app(settings, transport=apis.transport)) as client:
        yield client


def sign_in(client: TestClient, person: str, role: str) -> None:
    answer = client.post(
        "/signin", data={"person_id": person, "role": role}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def test_pages_send_a_visitor_without_a_session_to_sign_in(client: TestClient) -> None:
    answer = client.get("/admin/programs", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/signin")


def test_signing_in_keeps_a_development_token_in_an_httponly_samesite_cookie(
    client: TestClient, apis: FakeApis
) -> None:
    answer = client.post(
        "/signin", data={"person_id": "adm-1", "role": "program_admin"}, follow_redirects=False
    )
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    apis.page(f"GET {M}/programs", [PROGRAM])
    assert "AI for leaders" in client.get("/admin/programs").text
    token = apis.sent[-1].headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["sub"], claims["roles"], claims["iss"]) == (
        "adm-1",
        ["program_admin"],
        "mentoring-dev-issuer",
    )


def test_a_forged_cookie_is_no_session(client: TestClient) -> None:
    client.cookies.set(COOKIE_NAME, "eyJzdWIiOiJ4In0.forged")
    assert client.get("/admin/programs", follow_redirects=False).status_code == 303


def test_an_employee_is_refused_the_admin_pages(client: TestClient) -> None:
    sign_in(client, "p-1", "employee")
    answer = client.get("/admin/programs")
    assert answer.status_code == 403
    assert "program admin role" in answer.text


def test_creating_a_program_posts_it_and_opens_its_page(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"POST {M}/programs", PROGRAM, status=201)
    form = {
        "name": "AI for leaders",
        "kind": "reverse_mentoring",
        "matching_mode": "curated",
        "cadence_days": "14",
        "min_overlap_hours": "2",
        **{f"weight_{w}": "1" for w in PROGRAM["rules"]["weights"]},  # type: ignore[index]
    }
    answer = client.post("/admin/programs", data=form, follow_redirects=False)
    assert answer.headers["location"].startswith("/admin/programs/prg-1?notice=")
    (sent,) = apis.bodies(f"POST {M}/programs")
    assert sent["admin_ids"] == ["adm-1"] and sent["rules"]["require_shared_language"] is False


def test_editing_weights_and_rules_patches_the_program(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"PATCH {M}/programs/prg-1", PROGRAM)
    form = {
        "name": "AI for leaders",
        "min_overlap_hours": "3",
        "require_different_department": "on",
    }
    form |= {f"weight_{w}": "2" for w in ("skills", "goals", "cross_department")}
    form |= {f"weight_{w}": "0" for w in ("diversity", "availability")}
    answer = client.post("/admin/programs/prg-1", data=form, follow_redirects=False)
    assert answer.headers["location"].startswith("/admin/programs/prg-1?notice=Saved")
    (sent,) = apis.bodies(f"PATCH {M}/programs/prg-1")
    assert sent["rules"]["weights"]["availability"] == 0.0
    assert sent["rules"]["min_overlap_hours"] == 3.0
    assert sent["rules"]["require_different_department"] is True


def test_a_refused_form_shows_the_api_reason_on_the_page(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(
        f"POST {M}/programs/prg-1/enrollments",
        {"detail": [{"loc": ["body", "person_id"], "msg": "not a known person"}]},
        status=422,
    )
    for route in (f"GET {M}/programs/prg-1/enrollments", f"GET {M}/matches"):
        apis.page(route, [])
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    form = {"person_id": "ghost", "role": "mentor", "capacity": "1"}
    form |= {"work_start_hour": "9", "work_end_hour": "17"}
    page = client.post("/admin/programs/prg-1/enrollments", data=form)
    assert "person_id: not a known person" in page.text


def test_the_round_preview_explains_every_pair_and_every_unmatched_person(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/rounds/rnd-1", ROUND)
    apis.page(f"GET {M}/rounds/rnd-1/proposals", [PROPOSAL])
    apis.answer(f"GET {M}/people/m-tokyo", {"display_name": "Aiko Tanaka"})
    page = client.get("/admin/rounds/rnd-1").text
    assert "Aiko Tanaka" in page and "s-ny" in page  # a name, or the id when none
    assert 'style="width: 100.0%"' in page and 'style="width: 20.8%"' in page
    assert "No feasible partner (Overlap hours): no mentor shares 2 working hours" in page
    assert 'aria-label="Lock Aiko Tanaka with s-ny"' in page


def test_locking_a_pair_sends_that_adjustment_and_shows_the_round_again(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"POST {M}/rounds/rnd-1/adjustments", ROUND)
    form = {"action": "lock", "first": "m-tokyo", "second": "s-ny"}
    answer = client.post("/admin/rounds/rnd-1/adjust", data=form, follow_redirects=False)
    assert answer.headers["location"].startswith("/admin/rounds/rnd-1?notice=")
    assert apis.bodies(f"POST {M}/rounds/rnd-1/adjustments") == [
        {"lock": [{"first": "m-tokyo", "second": "s-ny"}]}
    ]


def test_an_employee_answers_only_the_matches_still_waiting_for_them(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    waiting = {
        "id": "m-1",
        "kind": "reverse_mentoring",
        "state": "proposed",
        "members": PROPOSAL["members"],
        "responses": {"m-tokyo": "accepted", "s-ny": "pending"},
    }
    done = {**waiting, "id": "m-2", "state": "active"}
    apis.page(f"GET {M}/matches", [waiting, done])
    page = client.get("/me/matches").text
    assert page.count('name="answer" value="accept"') == 1
    apis.answer(f"POST {M}/matches/m-1/answer", waiting)
    client.post("/me/matches/m-1/answer", data={"answer": "accept"})
    assert apis.bodies(f"POST {M}/matches/m-1/answer") == [{"accept": True}]


S = "http://sessions"
RELATIONSHIP = {
    "id": "rel-m-1",
    "kind": "reverse_mentoring",
    "status": "active",
    "members": [
        {"person_id": "m-tokyo", "role": "mentor", "time_zone": "Asia/Tokyo"},
        {"person_id": "s-ny", "role": "mentee", "time_zone": "America/New_York"},
    ],
    "health": {"state": "healthy", "reasons": []},
}


def mentoring_of(apis: FakeApis, meetings: list[dict[str, Any]]) -> None:
    apis.page(f"GET {S}/relationships", [RELATIONSHIP])
    apis.page(f"GET {S}/meetings", meetings)
    apis.answer(f"GET {S}/journal/stats", {"streak_weeks": 2, "this_week": 1})


def test_the_slot_picker_offers_free_times_in_the_readers_zone(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    mentoring_of(apis, [])
    slot = {"starts_at": "2030-01-08T00:00:00+00:00", "ends_at": "2030-01-08T00:45:00+00:00"}
    apis.answer(f"POST {S}/relationships/rel-m-1/slots", [slot])
    page = client.get(
        "/me/mentoring",
        params={"relationship_id": "rel-m-1", "first_day": "2030-01-07", "days": "3"},
    ).text
    assert "Mon 7 Jan, 19:00–19:45 (America/New_York)" in page
    assert apis.bodies(f"POST {S}/relationships/rel-m-1/slots")[0]["last_day"] == "2030-01-09"
    assert "Journal streak: <strong>2</strong> weeks" in page


def test_scheduling_books_the_picked_slot(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"POST {S}/relationships/rel-m-1/meetings", {"id": "mtg-1"}, status=201)
    form = {"slot": "2030-01-08T00:00:00+00:00", "duration_minutes": "45"}
    answer = client.post("/me/relationships/rel-m-1/meetings", data=form, follow_redirects=False)
    assert answer.headers["location"].startswith("/me/mentoring?notice=Meeting+scheduled")
    assert apis.bodies(f"POST {S}/relationships/rel-m-1/meetings") == [
        {"starts_at": "2030-01-08T00:00:00+00:00", "duration_minutes": 45}
    ]


def test_only_a_completed_meeting_asks_for_feedback(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "s-ny", "employee")
    held = {
        "id": "mtg-1",
        "relationship_id": "rel-m-1",
        "time_zone": "Asia/Tokyo",
        "starts_at": "2030-01-08T00:00:00+00:00",
        "ends_at": "2030-01-08T00:45:00+00:00",
        "status": "completed",
    }
    mentoring_of(apis, [held, {**held, "id": "mtg-2", "status": "scheduled"}])
    page = client.get("/me/mentoring").text
    assert page.count("Send feedback") == 1 and 'action="/me/meetings/mtg-1/feedback"' in page
    apis.answer(f"POST {S}/meetings/mtg-1/feedback", {}, status=201)
    client.post("/me/meetings/mtg-1/feedback", data={"rating": "5", "comment": "Great"})
    assert apis.bodies(f"POST {S}/meetings/mtg-1/feedback") == [
        {"rating": 5, "was_useful": False, "comment": "Great"}
    ]


def test_an_analyst_sees_suppressed_cells_as_suppressed_and_exports_csv(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "hr-1", "hr_analyst")
    figures: dict[str, Any] = {"value": 6, "suppressed": False}
    hidden: dict[str, Any] = {"value": None, "suppressed": True}
    week: dict[str, Any] = {"period": "2026-W48", "starts_on": "2026-11-23"}
    week["ends_on"] = "2026-11-29"
    week |= {m: figures for m in ("active_relationships", "meetings_planned", "meetings_held")}
    week |= {m: hidden for m in ("average_rating", "commitments_completed", "journal_entries")}
    survey: dict[str, Any] = {"goals_met": {}} | {
        m: hidden
        for m in (
            "answers",
            "average_overall",
            "average_partner_helpfulness",
            "would_recommend",
            "would_continue",
        )
    }
    apis.answer(
        f"GET {S}/hr/programs/prg-1/aggregates",
        {"periods": [week], "health_distribution": {"healthy": figures}, "survey": survey},
    )
    page = client.get("/hr", params={"program_id": "prg-1", "period": "iso_week"}).text
    assert page.count('class="chart-suppressed"') == 3
    assert "Average rating: 2026-W48 suppressed" in page
    assert apis.sent[-1].url.params["period"] == "iso_week"
    exported = client.get("/hr/programs/prg-1/aggregates.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[1].endswith("6,6,6,suppressed,suppressed,suppressed")


def test_a_flagged_match_is_listed_with_its_reason_and_resolved_from_the_program(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    flagged = {
        "id": "m-9",
        "state": "flagged",
        "note": "one reporting chain",
        "members": PROPOSAL["members"],
        "explanation": EXPLANATION,
    }
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    apis.page(f"GET {M}/programs/prg-1/enrollments", [])
    apis.page(f"GET {M}/matches", [flagged, {**flagged, "id": "m-8", "state": "active"}])
    page = client.get("/admin/programs/prg-1").text
    assert page.count('action="/admin/matches/') == 1 and "one reporting chain" in page
    apis.answer(f"POST {M}/matches/m-9/resolve", {**flagged, "state": "active"})
    answer = client.post(
        "/admin/matches/m-9/resolve",
        data={"program_id": "prg-1", "action": "keep"},
        follow_redirects=False,
    )
    assert answer.headers["location"].startswith("/admin/programs/prg-1?notice=")
    assert apis.bodies(f"POST {M}/matches/m-9/resolve") == [{"action": "keep"}]


def test_closing_a_program_that_is_already_closed_says_why(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"POST {M}/programs/prg-1/close", {"detail": "program is closed"}, status=409)
    answer = client.post("/admin/programs/prg-1/close", follow_redirects=False)
    assert answer.headers["location"] == "/admin/programs/prg-1?error=program+is+closed"
