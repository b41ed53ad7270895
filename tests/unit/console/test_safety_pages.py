"""An employee's private check-ins, concerns and blocks."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.console.answers import MATCH
from tests.unit.console.fake_apis import FakeApis, M, S, sign_in


def pulse(pid: str, status: str) -> dict[str, Any]:
    return {
        "id": pid,
        "relationship_id": "rel-m-1",
        "program_id": "prg-1",
        "after_meeting": 1 if pid.endswith("1") else 3,
        "requested_at": "2030-01-07T09:00:00+00:00",
        "status": status,
        "answer": None,
        "answered_at": None,
    }


def safety_page_of(apis: FakeApis, pulses: list[dict[str, Any]]) -> None:
    apis.answer(f"GET {S}/pulses/mine", pulses)
    apis.page(f"GET {M}/matches", [{**MATCH, "state": "active"}])
    apis.page(f"GET {M}/people/me/blocks", [])


def test_only_an_open_check_in_asks_for_answers(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "m-tokyo", "employee")
    safety_page_of(apis, [pulse("p-1", "answered"), pulse("p-3", "open")])
    page = client.get("/me/safety").text
    assert page.count('action="/me/pulses/') == 1 and 'action="/me/pulses/p-3/answer"' in page
    assert "Answered: after meeting 1." in page
    assert '<option value="s-ny">s-ny</option>' in page  # my partner, to report or block


def test_a_check_in_answer_is_sent_whole(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "m-tokyo", "employee")
    apis.answer(f"POST {S}/pulses/p-3/answer", pulse("p-3", "answered"), status=201)
    form = {"comfort": "2", "psychological_safety": "4", "would_continue": "no", "note": " hm "}
    answer = client.post("/me/pulses/p-3/answer", data=form, follow_redirects=False)
    assert "your+answers+stay+private" in answer.headers["location"]
    assert apis.bodies(f"POST {S}/pulses/p-3/answer") == [
        {"comfort": 2, "psychological_safety": 4, "would_continue": False, "note": "hm"}
    ]


def test_a_concern_goes_to_the_program_of_my_own_match(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "m-tokyo", "employee")
    apis.page(f"GET {M}/matches", [MATCH])
    apis.answer(f"POST {M}/programs/prg-1/concerns", {"id": "c-1"}, status=201)
    form = {"match_id": "m-1", "about_person_id": "s-ny", "text": "Remarks about my age."}
    answer = client.post("/me/concerns", data=form, follow_redirects=False)
    assert "only+they+can+read+it" in answer.headers["location"]
    assert apis.bodies(f"POST {M}/programs/prg-1/concerns") == [form]


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ({"match_id": "m-other", "text": "x"}, "Which match: choose one of yours"),
        ({"match_id": "m-1", "text": "  "}, "Text: required"),
    ],
)
def test_a_concern_the_matcher_would_refuse_is_explained_and_not_sent(
    client: TestClient, apis: FakeApis, form: dict[str, str], why: str
) -> None:
    sign_in(client, "m-tokyo", "employee")
    safety_page_of(apis, [])
    answer = client.post("/me/concerns", data=form, follow_redirects=True)
    assert why in answer.text
    assert apis.bodies(f"POST {M}/programs/prg-1/concerns") == []


def test_blocking_and_unblocking_a_person(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "m-tokyo", "employee")
    apis.answer(f"POST {M}/people/me/blocks", {"person_id": "s-ny"}, status=201)
    answer = client.post("/me/blocks", data={"person_id": "s-ny"}, follow_redirects=False)
    assert "s-ny+is+blocked" in answer.headers["location"]
    assert apis.bodies(f"POST {M}/people/me/blocks") == [{"person_id": "s-ny"}]
    apis.answer(f"DELETE {M}/people/me/blocks/s-ny", None, status=204)
    lifted = client.post("/me/blocks/s-ny/lift", follow_redirects=False)
    assert "s-ny+is+no+longer+blocked" in lifted.headers["location"]
