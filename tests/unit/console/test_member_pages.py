"""An employee's pages: answering matches, the slot picker, meetings, feedback."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.unit.console.answers import MATCH, RELATIONSHIP
from tests.unit.console.fake_apis import FakeApis, M, S, sign_in


def test_an_employee_answers_only_the_matches_still_waiting_for_them(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    waiting = {**MATCH, "responses": {"m-tokyo": "accepted", "s-ny": "pending"}}
    done = {**waiting, "id": "m-2", "state": "active"}
    apis.page(f"GET {M}/matches", [waiting, done])
    page = client.get("/me/matches").text
    assert page.count('name="answer" value="accept"') == 1
    apis.answer(f"POST {M}/matches/m-1/answer", waiting)
    client.post("/me/matches/m-1/answer", data={"answer": "accept"})
    assert apis.bodies(f"POST {M}/matches/m-1/answer") == [{"accept": True}]


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


def test_an_ended_relationship_asks_for_the_closing_survey_and_sends_it(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    ended = {**RELATIONSHIP, "status": "ended", "closing_survey_requested": True}
    apis.page(f"GET {S}/relationships", [ended])
    apis.page(f"GET {S}/meetings", [])
    apis.answer(f"GET {S}/journal/stats", {"streak_weeks": 0, "this_week": 0})
    assert "Closing survey: how did it go?" in client.get("/me/mentoring").text
    apis.answer(f"POST {S}/relationships/rel-m-1/survey", {}, status=201)
    form = {"overall": "4", "partner_helpfulness": "5", "goals_met": "partly"}
    answer = client.post(
        "/me/relationships/rel-m-1/survey",
        data={**form, "would_continue": "on"},
        follow_redirects=False,
    )
    assert "Thank+you" in answer.headers["location"]
    assert apis.bodies(f"POST {S}/relationships/rel-m-1/survey") == [
        {
            "overall": 4,
            "partner_helpfulness": 5,
            "goals_met": "partly",
            "would_recommend": False,
            "would_continue": True,
            "private_note": "",
        }
    ]
    refused = client.post(
        "/me/relationships/rel-m-1/survey",
        data={**form, "goals_met": "maybe"},
        follow_redirects=False,
    )
    assert "Goals+met" in refused.headers["location"]
    assert len(apis.bodies(f"POST {S}/relationships/rel-m-1/survey")) == 1
