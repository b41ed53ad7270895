"""Forms post only from the console's own pages: a browser names the page a POST came
from in its ``Origin`` header, and a form on another site is refused (403) before it
reaches an API. The session cookie is SameSite=Lax as well; this is the second lock,
for browsers or proxies that get SameSite wrong."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(
    public_url: str,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Middleware: an unsafe request whose ``Origin`` is neither ``public_url`` nor the
    address it was sent to is refused. No ``Origin`` (a script, an old browser) passes:
    the SameSite cookie keeps a cross-site form from carrying the session anyway."""
    allowed = origin_of(public_url)

    async def check(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        origin = request.headers.get("origin")
        if request.method not in SAFE_METHODS and origin is not None:
            if origin.lower() not in (allowed, origin_of(str(request.base_url))):
                return PlainTextResponse(
                    "refused: this form was sent from another site", status_code=403
                )
        return await call_next(request)

    return check
