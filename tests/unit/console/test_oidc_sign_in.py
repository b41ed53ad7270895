"""Production sign-in against a stand-in issuer: authorization code with PKCE (S256),
``state`` and ``nonce`` checked, the ID token verified, the access token used."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

pytest.importorskip("jinja2", reason="the console's templates need jinja2 (a console dependency)")

from fastapi.testclient import TestClient

from services.console.app import create_app
from services.console.oidc import challenge_of
from services.console.session import FLOW_COOKIE_NAME
from services.console.settings import ConsoleSettings
from tests.unit.console.fake_apis import FakeApis
from tools.dev_issuer import ensure_keys

IDP = "https://idp.example"
M = "http://matcher"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[bytes, str]:
    private_path, kid = ensure_keys(tmp_path)
    return private_path.read_bytes(), kid


@pytest.fixture
def idp(keys: tuple[bytes, str], tmp_path: Path) -> FakeApis:
    apis = FakeApis()
    discovery = {
        "issuer": IDP,
        "authorization_endpoint": f"{IDP}/authorize",
        "token_endpoint": f"{IDP}/token",
        "jwks_uri": f"{IDP}/jwks",
    }
    apis.answer(f"GET {IDP}/.well-known/openid-configuration", discovery)
    apis.answer(f"GET {IDP}/jwks", json.loads((tmp_path / "jwks.json").read_text()))
    return apis


@pytest.fixture
def client(idp: FakeApis) -> Iterator[TestClient]:
    settings = ConsoleSettings(
        auth_issuer=IDP, oidc_client_id="console", public_url="https://console.example"
    )
    with TestClient(create_app(settings, transport=idp.transport)) as client:
        yield client


def id_token(keys: tuple[bytes, str], nonce: str, **changed: object) -> str:
    """An ID token the stand-in issuer signs; ``changed`` claims replace the right ones."""
    private, kid = keys
    now = int(time.time())
    body = {"iss": IDP, "aud": "console", "sub": "p-9", "nonce": nonce, "iat": now}
    body |= {"exp": now + 300, "roles": ["program_admin"], **changed}
    return jwt.encode(body, private, algorithm="RS256", headers={"kid": kid})


def leave_for_the_issuer(client: TestClient) -> dict[str, str]:
    answer = client.get("/signin/oidc", follow_redirects=False)
    assert answer.status_code == 303
    url = urlsplit(answer.headers["location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{IDP}/authorize"
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def test_the_console_signs_in_with_the_code_and_its_pkce_verifier(
    client: TestClient, idp: FakeApis, keys: tuple[bytes, str]
) -> None:
    asked = leave_for_the_issuer(client)
    assert asked["code_challenge_method"] == "S256" and asked["response_type"] == "code"
    assert asked["redirect_uri"] == "https://console.example/signin/callback"
    tokens = {"access_token": "the-access-token", "id_token": id_token(keys, asked["nonce"])}
    idp.answer(f"POST {IDP}/token", {**tokens, "expires_in": 600})
    answer = client.get(
        "/signin/callback", params={"code": "c-1", "state": asked["state"]}, follow_redirects=False
    )
    assert answer.headers["location"] == "/admin/programs"
    (exchange,) = [r for r in idp.sent if r.url.path == "/token"]
    form = {k: v[0] for k, v in parse_qs(exchange.content.decode()).items()}
    assert form["code"] == "c-1" and challenge_of(form["code_verifier"]) == asked["code_challenge"]
    idp.page(f"GET {M}/programs", [])
    client.get("/admin/programs")
    assert idp.sent[-1].headers["Authorization"] == "Bearer the-access-token"


def test_a_callback_whose_state_is_not_this_browsers_sign_in_is_refused(
    client: TestClient, idp: FakeApis
) -> None:
    leave_for_the_issuer(client)
    answer = client.get("/signin/callback", params={"code": "c-1", "state": "forged"})
    assert "did not start here" in answer.text
    assert not [r for r in idp.sent if r.url.path == "/token"]


def test_an_id_token_for_another_sign_in_or_client_is_refused(
    client: TestClient, idp: FakeApis, keys: tuple[bytes, str]
) -> None:
    for wrong in ({"nonce": "replayed"}, {"aud": "another-client"}):
        asked = leave_for_the_issuer(client)
        claims: dict[str, str] = {"nonce": asked["nonce"], **wrong}
        token = id_token(keys, **claims)
        idp.answer(f"POST {IDP}/token", {"access_token": "a", "id_token": token})
        page = client.get("/signin/callback", params={"code": "c", "state": asked["state"]})
        assert "the ID token" in page.text
        assert client.get("/admin/programs", follow_redirects=False).status_code == 303


def test_the_sign_in_under_way_lives_in_a_short_httponly_cookie(client: TestClient) -> None:
    cookie = client.get("/signin/oidc", follow_redirects=False).headers["set-cookie"]
    assert cookie.startswith(f"{FLOW_COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "Max-Age=600" in cookie and "Path=/signin" in cookie
