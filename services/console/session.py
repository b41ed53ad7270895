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

COOKIE_NAME = "console_session"


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
        payload = {
            "sub": session.subject,
            "roles": list(session.roles),
            "token": session.token,
            "at": int(self._clock()),
        }
        body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
        return f"{body}.{self._sign(body)}"

    def decode(self, cookie: str | None) -> Session | None:
        if not cookie or "." not in cookie:
            return None
        body, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(body))
        except ValueError:
            return None
        if self._clock() - payload["at"] > self.max_age_s:
            return None
        return Session(payload["sub"], tuple(payload["roles"]), payload["token"])

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
