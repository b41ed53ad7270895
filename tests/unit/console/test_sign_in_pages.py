"""Who may see what: sessions, the development sign-in, roles."""

from __future__ import annotations

import jwt
from fastapi.testclient import TestClient

from services.console.session import COOKIE_NAME
from tests.unit.console.answers import PROGRAM
from tests.unit.console.fake_apis import FakeApis, M, sign_in


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


def test_a_form_posted_from_another_site_is_refused_before_any_api_call(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    sent_before = len(apis.sent)
    forged = client.post(
        "/admin/programs/prg-1/close",
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and "another site" in forged.text
    assert len(apis.sent) == sent_before
    apis.answer(f"POST {M}/programs/prg-1/close", PROGRAM)
    own = client.post(
        "/admin/programs/prg-1/close",
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert own.status_code == 303
    assert len(apis.sent) == sent_before + 1
