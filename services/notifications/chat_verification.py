"""Who sent an inbound chat request: Slack's request signature, the Teams bot token.

Slack signs every interactivity request with the app's signing secret
(``slack_sdk.signature.SignatureVerifier``: HMAC-SHA256 of ``v0:<timestamp>:<body>``);
a request older than the window is refused even when its signature is right. The Bot
Framework sends a bearer JWT signed with its published keys, issued by
``https://api.botframework.com`` for the bot's app id. Each check answers with the key
that makes the request unique (the signature, the activity id), for the replay check.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx
import jwt
from slack_sdk.signature import Clock, SignatureVerifier

from shared.auth import JwksSource
from shared.logging import get_logger

log = get_logger(__name__)

SLACK_TIMESTAMP = "X-Slack-Request-Timestamp"
SLACK_SIGNATURE = "X-Slack-Signature"
_KEY_REFRESH_S = 300.0
_ALGORITHMS = ("RS256",)


class ChatRequestRefused(Exception):
    """Not a request the chat tool sent, or one seen before: answered 401 with the reason."""


class _FixedClock(Clock):
    def __init__(self, now: datetime) -> None:
        self.instant = now.timestamp()

    def now(self) -> float:
        return self.instant


def verify_slack(
    secret: str | None,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: datetime,
    window_s: int,
) -> str:
    """The request's signature, once it is Slack's and fresh (else ``ChatRequestRefused``)."""
    if not secret:
        raise ChatRequestRefused("Slack actions are not configured (no signing secret)")
    timestamp, signature = headers.get(SLACK_TIMESTAMP), headers.get(SLACK_SIGNATURE)
    if not timestamp or not signature:
        raise ChatRequestRefused("unsigned: the Slack signature headers are missing")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise ChatRequestRefused("the Slack request timestamp is not a number") from None
    if abs(now.timestamp() - sent_at) > window_s:
        raise ChatRequestRefused("stale: the Slack request is outside the timestamp window")
    verifier = SignatureVerifier(secret, clock=_FixedClock(now))
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        raise ChatRequestRefused("the Slack signature does not match")
    return signature


class TeamsTokenVerifier:
    """Checks the Bot Framework's bearer token: signature against the configured key
    set (refreshed when an unknown key id appears, at most every five minutes), issuer,
    audience (the bot's app id), expiry; when the token names the activity's
    ``serviceUrl``, that they agree; when the key lists the channels it is endorsed for,
    that the activity's ``channelId`` is one.

    ``keys_url`` is the OpenID metadata (its ``jwks_uri`` is followed, as the Bot
    Framework asks, so a key rotation needs no new setting) or a key set itself (a
    ``file://`` one for a local key pair)."""

    def __init__(self, *, app_id: str, issuer: str, keys_url: str) -> None:
        self.app_id = app_id
        self.issuer = issuer
        self.source = JwksSource(keys_url)
        self._keys: dict[str, tuple[jwt.PyJWK, frozenset[str]]] = {}
        self._fetched_at = float("-inf")

    async def verify(self, authorization: str | None, activity: Mapping[str, Any]) -> None:
        if not self.app_id:
            raise ChatRequestRefused("Teams actions are not configured (no bot app id)")
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ChatRequestRefused("unsigned: a Bot Framework bearer token is required")
        try:
            kid = str(jwt.get_unverified_header(token).get("kid", ""))
            key, endorsed = await self._key(kid)
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=list(_ALGORITHMS),
                audience=self.app_id,
                issuer=self.issuer,
                leeway=300,  # the Bot Framework allows five minutes of clock skew
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise ChatRequestRefused(f"the Teams token is not valid: {exc}") from exc
        claimed = claims.get("serviceurl") or claims.get("serviceUrl")
        if claimed and claimed != activity.get("serviceUrl"):
            raise ChatRequestRefused("the Teams token was issued for another service URL")
        if endorsed and activity.get("channelId") not in endorsed:
            raise ChatRequestRefused("the Teams token's key is not endorsed for this channel")

    async def _key(self, kid: str) -> tuple[jwt.PyJWK, frozenset[str]]:
        if kid not in self._keys and time.monotonic() - self._fetched_at > _KEY_REFRESH_S:
            await self._refresh()
        if kid not in self._keys:
            raise jwt.InvalidKeyError(f"unknown key id {kid!r}")
        return self._keys[kid]

    async def _refresh(self) -> None:
        try:
            document = await self.source.fetch()
            if "jwks_uri" in document:  # the OpenID metadata: the key set is where it says
                document = await JwksSource(str(document["jwks_uri"])).fetch()
            entries = [e for e in document.get("keys", []) if e.get("kid")]
            keys = {
                str(e["kid"]): (jwt.PyJWK(e), frozenset(e.get("endorsements", ()))) for e in entries
            }
        except (jwt.PyJWTError, httpx.HTTPError, OSError, ValueError) as exc:
            log.warning("teams_keys_fetch_failed", error=repr(exc))
            return
        self._keys = keys
        self._fetched_at = time.monotonic()
