"""Where a page's time goes: each page answers with a ``Server-Timing`` header of its
own time and its slowest API calls (the browser's developer tools draw them; the
console benchmark reads them)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import Response

from services.console.api import CallTiming


async def timed(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: the calls ``apis_for`` makes during the request are collected in
    ``request.state.api_timings``, then reported."""
    request.state.api_timings = []
    started = time.perf_counter()
    response = await call_next(request)
    total_ms = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = server_timing(total_ms, request.state.api_timings)
    return response


def server_timing(total_ms: float, calls: list[CallTiming], most: int = 8) -> str:
    """A ``Server-Timing`` header: the page's own time, then its slowest API calls (the
    browser's developer tools draw them; a benchmark reads them)."""
    slowest = sorted(calls, key=lambda c: -c.ms)[:most]
    parts = [f"page;dur={total_ms:.1f}"]
    parts += [
        f'api{i};desc="{c.method} {c.service} {c.path}";dur={c.ms:.1f}'
        for i, c in enumerate(slowest)
    ]
    return ", ".join(parts)
