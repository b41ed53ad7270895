"""The import command's token: --token, $MATCHER_API_TOKEN, or a development token
minted from the local issuer's key (never in production)."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from services.matcher import cli, dev_token
from tools.dev_issuer import ensure_keys


@pytest.fixture
def local_issuer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ensure_keys(tmp_path)
    monkeypatch.setenv("MATCHER_AUTH_JWKS_URL", f"file://{tmp_path / 'jwks.json'}")
    monkeypatch.delenv("MATCHER_PROFILE", raising=False)
    return tmp_path


def test_a_development_token_is_a_program_admins_signed_by_the_local_issuer(
    local_issuer: Path,
) -> None:
    token = dev_token.mint("p-0001")
    jwks = jwt.PyJWKSet.from_json((local_issuer / "jwks.json").read_text())
    claims = jwt.decode(
        token, jwks.keys[0].key, algorithms=["RS256"], audience="mentoring-platform"
    )
    assert (claims["sub"], claims["roles"], claims["iss"]) == (
        "p-0001",
        ["program_admin"],
        "mentoring-dev-issuer",
    )


def test_the_production_profile_refuses_development_tokens(
    local_issuer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATCHER_PROFILE", "production")
    with pytest.raises(dev_token.DevTokenRefused, match="production"):
        dev_token.mint("p-0001")


def test_without_local_keys_the_development_token_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATCHER_AUTH_JWKS_URL", f"file://{tmp_path / 'jwks.json'}")
    with pytest.raises(dev_token.DevTokenRefused, match="make run"):
        dev_token.mint("p-0001")


def test_no_token_at_all_is_a_usage_error_not_a_401(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(cli.TOKEN_VARIABLE, raising=False)
    with pytest.raises(SystemExit):
        cli.main([str(tmp_path / "people.csv")])
    assert "no token" in capsys.readouterr().err


def test_the_token_comes_from_the_environment_when_not_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli.TOKEN_VARIABLE, "from-env")
    seen: dict[str, str] = {}

    def fake_import(path: Path, *, api: str, token: str, chunk: int) -> dict[str, object]:
        seen["token"] = token
        return {"accepted": 0, "rejected": 0, "errors": []}

    monkeypatch.setattr(cli, "import_people", fake_import)
    assert cli.main([str(tmp_path / "people.csv")]) == 0
    assert seen == {"token": "from-env"}
    assert cli.main([str(tmp_path / "people.csv"), "--token", "given"]) == 0
    assert seen == {"token": "given"}
