"""Request limits every API applies: a body-size cap and a per-caller rate limit.

Both are per process (per replica): they protect a replica from one heavy caller;
cluster-wide quotas belong at the ingress.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Depends, HTTPException, status

from shared.auth import CurrentPrincipal

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BODY = 1024 * 1024


class BodySizeLimit:
    """Answer 413 to a request whose body exceeds the limit (declared or streamed);
    ``overrides`` raise it for named routes (exact paths or route templates)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = DEFAULT_MAX_BODY,
        overrides: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = [(_template(path), limit) for path, limit in (overrides or {}).items()]

    def limit_for(self, path: str) -> int:
        """The cap of ``path``: an override's route template (``/programs/{id}/x``) or
        exact path it matches, else the default."""
        return next((lim for pattern, lim in self.overrides if pattern.match(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge:
            await _too_large(send, limit)


def _template(path: str) -> re.Pattern[str]:
    """A route template as a pattern: each ``{name}`` stands for one path segment."""
    parts = re.split(r"\{[^/{}]+\}", path)
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    await send_json(send, 413, {"detail": f"request body larger than {limit} bytes"})


async def send_json(
    send: Send, status: int, payload: object, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Answer with a JSON body straight from ASGI middleware (where no app answers)."""
    body = json.dumps(payload).encode()
    start_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": start_headers})
    await send({"type": "http.response.body", "body": body})


class TokenBucket:
    """``rate`` requests per ``per_s`` seconds with bursts up to ``burst``, per key."""

    def __init__(
        self, *, rate: float, per_s: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.refill_per_s = rate / per_s
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 if allowed now, else the seconds to wait."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.refill_per_s)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.refill_per_s


def rate_limited(name: str, *, per_minute: int, burst: int) -> Any:
    """A dependency: at most ``per_minute`` calls per caller (429 with Retry-After)."""
    bucket = TokenBucket(rate=per_minute, per_s=60, burst=burst)

    async def check(caller: CurrentPrincipal) -> None:
        wait = bucket.take(caller.subject)
        if wait > 0:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail=f"too many {name} requests; retry in {wait:.0f} s",
                headers={"Retry-After": str(max(1, round(wait)))},
            )

    return Depends(check)
