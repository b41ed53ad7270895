"""Self-match for an employee: suggestions with why, and a request."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.console.answers import EXPLANATION, PROGRAM
from tests.unit.console.fake_apis import FakeApis, M, sign_in

SELF_MATCH = {**PROGRAM, "id": "prg-2", "name": "Peer coaching", "matching_mode": "self_match"}


def test_only_open_self_match_programs_are_offered_with_ranked_suggestions(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    closed = {**SELF_MATCH, "id": "prg-3", "name": "Old circle", "status": "closed"}
    apis.page(f"GET {M}/programs", [PROGRAM, SELF_MATCH, closed])
    suggestion = {"person_id": "p-7", "role": "peer", "explanation": EXPLANATION}
    apis.answer(f"GET {M}/programs/prg-2/suggestions", [suggestion])
    page = client.get("/me/partners").text
    assert '<option value="prg-2" selected>Peer coaching</option>' in page
    assert "AI for leaders" not in page and "Old circle" not in page
    assert 'name="partner_id" value="p-7"' in page and 'class="bars"' in page


def test_a_program_that_refuses_suggestions_says_why(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "s-ny", "employee")
    apis.page(f"GET {M}/programs", [SELF_MATCH])
    apis.answer(
        f"GET {M}/programs/prg-2/suggestions",
        {"detail": "s-ny is not in the pool of prg-2"},
        status=409,
    )
    page = client.get("/me/partners?program_id=prg-2").text
    assert "s-ny is not in the pool of prg-2" in page


def test_requesting_a_partner_sends_the_request_and_says_what_happens_next(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"POST {M}/programs/prg-2/requests", {"id": "m-9"}, status=201)
    answer = client.post(
        "/me/partners/prg-2/requests", data={"partner_id": "p-7"}, follow_redirects=False
    )
    assert answer.headers["location"].startswith(
        "/me/partners?program_id=prg-2&notice=Request+sent+to+p-7"
    )
    assert apis.bodies(f"POST {M}/programs/prg-2/requests") == [{"partner_id": "p-7"}]
