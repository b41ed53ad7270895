"""Calling the running platform's APIs as any user, the way an HR portal would.

Mints a development token per (subject, role) from the local issuer, bounds how many
requests are in flight, counts them, and fails naming the call when an answer is not
the expected one. Used by the program-cycle driver (``tools.cycle``) and the benches.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from tools.dev_issuer import issue_token


class PlatformCallFailed(RuntimeError):
    """An API call failed in transport or answered an unexpected status."""


def expected_body(
    response: httpx.Response, method: str, url: str, expect: int | tuple[int, ...] = 200
) -> Any:
    """The JSON body of an expected answer; anything else fails, naming the call."""
    wanted = (expect,) if isinstance(expect, int) else expect
    if response.status_code not in wanted:
        raise PlatformCallFailed(f"{method} {url} -> {response.status_code}: {response.text[:500]}")
    return response.json()


class PlatformClient:
    def __init__(self, issuer_dir: Path, *, concurrency: int = 16, timeout_s: float = 60) -> None:
        self.issuer_dir = issuer_dir
        self.requests = 0
        self._limit = asyncio.Semaphore(concurrency)
        self._tokens: dict[str, str] = {}
        self._timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> PlatformClient:
        # Idle connections are dropped before the servers' keep-alive timeout (5 s), so
        # a request never races the server closing the connection it was sent on.
        limits = httpx.Limits(
            max_connections=64, max_keepalive_connections=64, keepalive_expiry=2.0
        )
        self._client = httpx.AsyncClient(timeout=self._timeout_s, limits=limits)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def token(self, subject: str, role: str) -> str:
        key = f"{subject}/{role}"
        if key not in self._tokens:
            self._tokens[key] = issue_token(subject, [role], directory=self.issuer_dir)
        return self._tokens[key]

    async def send(
        self, method: str, url: str, subject: str, role: str, **kwargs: Any
    ) -> httpx.Response:
        """One request as ``subject`` in ``role``; a transport error names the call."""
        assert self._client is not None, "use the client in `async with`"
        headers = {"Authorization": f"Bearer {self.token(subject, role)}"}
        headers.update(kwargs.pop("headers", {}))
        async with self._limit:
            self.requests += 1
            started = time.monotonic()
            try:
                return await self._client.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                took = time.monotonic() - started
                raise PlatformCallFailed(
                    f"{method} {url} failed after {took:.2f} s: {exc!r}"
                ) from exc

    async def call(
        self,
        method: str,
        url: str,
        subject: str,
        role: str,
        *,
        expect: int | tuple[int, ...] = 200,
        **kwargs: Any,
    ) -> Any:
        """``send``, then the JSON body of an expected answer."""
        response = await self.send(method, url, subject, role, **kwargs)
        return expected_body(response, method, url, expect)

    async def all_pages(
        self, url: str, subject: str, role: str, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a paged list (``items``/``total``, ``limit``/``offset``)."""
        items: list[dict[str, Any]] = []
        while True:
            page = await self.call(
                "GET",
                url,
                subject,
                role,
                params={**(params or {}), "limit": 200, "offset": len(items)},
            )
            items.extend(page["items"])
            if not page["items"] or len(items) >= page["total"]:
                return items
