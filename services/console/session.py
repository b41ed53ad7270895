"""The signed session cookie: who is signed in, their roles and bearer token.

HMAC-SHA256 over the JSON payload with the console's secret; a cookie that was
altered, signed with another key or older than its max age is no session. The
cookie is HttpOnly and SameSite=Lax, so page scripts cannot read the token and
other sites cannot post with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

COOKIE_NAME = "console_session"
#: The sign-in under way (PKCE verifier, state, nonce) while the browser is at the issuer.
FLOW_COOKIE_NAME = "console_sign_in"


@dataclass(frozen=True)
class Session:
    subject: str
    roles: tuple[str, ...]
    token: str

    def has(self, role: str) -> bool:
        return role in self.roles


class SessionCodec:
    def __init__(
        self, secret: str, *, max_age_s: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._key = secret.encode()
        self.max_age_s = max_age_s
        self._clock = clock

    def encode(self, session: Session) -> str:
        return self.seal(
            {"sub": session.subject, "roles": list(session.roles), "token": session.token}
        )

    def decode(self, cookie: str | None) -> Session | None:
        payload = self.open(cookie, max_age_s=self.max_age_s)
        if payload is None:
            return None
        return Session(payload["sub"], tuple(payload["roles"]), payload["token"])

    def seal(self, payload: dict[str, Any]) -> str:
        """``payload`` (with the time it was sealed) as a signed cookie value."""
        body = base64.urlsafe_b64encode(json.dumps({**payload, "at": int(self._clock())}).encode())
        return f"{body.decode()}.{self._sign(body.decode())}"

    def open(self, cookie: str | None, *, max_age_s: int) -> dict[str, Any] | None:
        """What ``seal`` sealed, if the signature holds and it is not older than
        ``max_age_s``; otherwise None."""
        if not cookie or "." not in cookie:
            return None
        body, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(body))
        except ValueError:
            return None
        if not isinstance(payload, dict) or self._clock() - payload.get("at", 0) > max_age_s:
            return None
        return payload

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
