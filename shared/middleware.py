"""Plain ASGI middleware of every API: request metrics and spans, and a JSON 500 for the
unexpected.

Plain ASGI, not ``@app.middleware("http")``: that one runs every request through an
extra task and stream pair, which costs more than the hot routes themselves.
"""

from __future__ import annotations

import re
import time
import uuid

from shared.limits import ASGIApp, Message, Receive, Scope, Send, send_json
from shared.logging import get_logger
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from shared.tracing import request_span

log = get_logger(__name__)

REQUEST_ID_HEADER = b"x-request-id"
#: A caller's request id is echoed only if it is short and plain; otherwise we mint one.
_PLAIN_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")


def request_id(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when it is plain and short, else a new one."""
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER and _PLAIN_ID.match(value):
            return str(value.decode())
    return uuid.uuid4().hex


class UnexpectedErrors:
    """An exception no handler knew becomes a JSON 500 naming a request id (also logged
    with the traceback), and the connection stays usable: the exception stops here, so
    the server does not drop the connection as it does for an escaping error. Inside
    Starlette's own error middleware, outside the routes' handlers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (REQUEST_ID_HEADER, rid.encode())],
                }
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error(
                "request_failed",
                request_id=rid,
                method=scope.get("method"),
                path=scope.get("path"),
                error=repr(exc)[:500],
                exc_info=exc,
            )
            if started:  # a streamed body broke mid-way: nothing sane to add
                return
            await _answer_500(send, rid)


async def _answer_500(send: Send, rid: str) -> None:
    detail = {"detail": "internal error; quote the request id when reporting it", "request_id": rid}
    await send_json(send, 500, detail, [(REQUEST_ID_HEADER, rid.encode())])


class RequestMetrics:
    """Counts requests and observes latency per route template; when tracing is on, each
    request runs in a server span (``shared.tracing``) named by the same template."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception escaping the app is answered 500 further out

        async def observing_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        span = request_span(scope)  # None unless tracing is on
        try:
            await self.app(scope, receive, observing_send)
        finally:
            route = _route_template(scope)
            method = scope.get("method", "")
            HTTP_REQUESTS.labels(self.service, method, route, status).inc()
            HTTP_LATENCY.labels(self.service, method, route).observe(time.perf_counter() - started)
            if span is not None:
                span.end(route, status)


def _route_template(scope: Scope) -> str:
    """The matched route's path template (``/programs/{program_id}``), never the raw path,
    so metric label cardinality stays bounded."""
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))
