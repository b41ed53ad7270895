"""Specifications: who may send a chat action (Slack's signature, the Teams bot token)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.notifications.chat_verification import (
    SLACK_SIGNATURE,
    SLACK_TIMESTAMP,
    ChatRequestRefused,
    TeamsTokenVerifier,
    verify_slack,
)
from tools.dev_issuer import ensure_keys, issue_token

SECRET = "slack-signing-secret-for-tests"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BODY = b"payload=%7B%22type%22%3A%22block_actions%22%7D"
APP_ID = "bot-app-id"
ISSUER = "https://api.botframework.com"


def slack_headers(body: bytes, *, at: datetime = NOW, secret: str = SECRET) -> dict[str, str]:
    timestamp = str(int(at.timestamp()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    return {SLACK_TIMESTAMP: timestamp, SLACK_SIGNATURE: f"v0={digest.hexdigest()}"}


def test_a_fresh_request_signed_with_the_apps_secret_passes_and_names_its_signature() -> None:
    headers = slack_headers(BODY)

    assert verify_slack(SECRET, BODY, headers, now=NOW, window_s=300) == headers[SLACK_SIGNATURE]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "unsigned"),
        (slack_headers(BODY, secret="another-secret"), "does not match"),
        (slack_headers(b"payload=other"), "does not match"),
        (slack_headers(BODY, at=NOW - timedelta(minutes=6)), "stale"),
        (slack_headers(BODY, at=NOW + timedelta(minutes=6)), "stale"),
        ({SLACK_TIMESTAMP: "soon", SLACK_SIGNATURE: "v0=00"}, "not a number"),
    ],
    ids=["unsigned", "wrong secret", "body changed", "too old", "from the future", "bad time"],
)
def test_a_slack_request_not_signed_by_slack_now_is_refused(
    headers: dict[str, str], reason: str
) -> None:
    with pytest.raises(ChatRequestRefused, match=reason):
        verify_slack(SECRET, BODY, headers, now=NOW, window_s=300)


def test_without_a_signing_secret_every_slack_request_is_refused() -> None:
    with pytest.raises(ChatRequestRefused, match="not configured"):
        verify_slack(None, BODY, slack_headers(BODY), now=NOW, window_s=300)


@pytest.fixture
def bot_keys(tmp_path: Path) -> Path:
    ensure_keys(tmp_path)
    return tmp_path


def verifier(keys: Path, app_id: str = APP_ID) -> TeamsTokenVerifier:
    return TeamsTokenVerifier(app_id=app_id, issuer=ISSUER, keys_url=f"file://{keys / 'jwks.json'}")


def bot_token(keys: Path, *, issuer: str = ISSUER, audience: str = APP_ID, ttl_s: int = 600) -> str:
    return issue_token("bot", [], directory=keys, issuer=issuer, audience=audience, ttl_s=ttl_s)


async def test_a_token_of_the_bot_framework_for_this_bot_passes(bot_keys: Path) -> None:
    await verifier(bot_keys).verify(f"Bearer {bot_token(bot_keys)}", {"type": "invoke"})


@pytest.mark.parametrize(
    ("token_of", "reason"),
    [
        (lambda k: "", "unsigned"),
        (lambda k: bot_token(k, audience="another-bot"), "(?i)audience"),
        (lambda k: bot_token(k, issuer="https://evil.example"), "(?i)issuer"),
        (lambda k: bot_token(k, ttl_s=-3600), "(?i)expired"),
        (lambda k: bot_token(k) + "x", "not valid"),
    ],
    ids=["no token", "another bot", "another issuer", "expired", "tampered"],
)
async def test_a_teams_request_without_the_bots_valid_token_is_refused(
    bot_keys: Path, token_of: object, reason: str
) -> None:
    token = token_of(bot_keys)  # type: ignore[operator]
    with pytest.raises(ChatRequestRefused, match=reason):
        await verifier(bot_keys).verify(f"Bearer {token}" if token else None, {})


async def test_a_token_signed_by_a_key_not_in_the_key_set_is_refused(
    bot_keys: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = tmp_path_factory.mktemp("other-issuer")
    ensure_keys(other)
    with pytest.raises(ChatRequestRefused, match="unknown key id"):
        await verifier(bot_keys).verify(f"Bearer {bot_token(other)}", {})


async def test_without_a_bot_app_id_every_teams_request_is_refused(bot_keys: Path) -> None:
    with pytest.raises(ChatRequestRefused, match="not configured"):
        await verifier(bot_keys, app_id="").verify(f"Bearer {bot_token(bot_keys)}", {})


def endorsed_metadata(keys: Path, channels: list[str]) -> str:
    """OpenID metadata pointing at a copy of the key set whose keys carry endorsements,
    as the Bot Framework publishes them."""
    jwks = json.loads((keys / "jwks.json").read_text())
    endorsed = {"keys": [{**k, "endorsements": channels} for k in jwks["keys"]]}
    (keys / "endorsed.json").write_text(json.dumps(endorsed))
    metadata = {"issuer": ISSUER, "jwks_uri": f"file://{keys / 'endorsed.json'}"}
    (keys / "openid.json").write_text(json.dumps(metadata))
    return f"file://{keys / 'openid.json'}"


async def test_the_keys_are_found_through_the_openid_metadata_and_endorse_the_channel(
    bot_keys: Path,
) -> None:
    url = endorsed_metadata(bot_keys, ["msteams"])
    teams = TeamsTokenVerifier(app_id=APP_ID, issuer=ISSUER, keys_url=url)
    token = f"Bearer {bot_token(bot_keys)}"

    await teams.verify(token, {"channelId": "msteams"})
    with pytest.raises(ChatRequestRefused, match="endorsed"):
        await teams.verify(token, {"channelId": "webchat"})
