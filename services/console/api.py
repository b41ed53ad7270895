"""The three public APIs, called over HTTP with the signed-in user's bearer token."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx


class ApiError(Exception):
    """An API refused a call: its status and a sentence a person can read."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_message(response: httpx.Response) -> str:
    """The API's ``detail`` as one sentence (a 422 list names each field)."""
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        return response.text or response.reason_phrase
    if isinstance(detail, list):
        parts = []
        for item in detail:
            field = ".".join(str(p) for p in item.get("loc", []) if p != "body")
            parts.append(f"{field}: {item.get('msg', '')}" if field else str(item.get("msg", "")))
        return "; ".join(parts)
    return str(detail)


@dataclass(frozen=True)
class CallTiming:
    """How long one API call of a page took: what the ``Server-Timing`` header reports."""

    service: str
    method: str
    path: str
    ms: float


class Apis:
    """One user's calls; one ``httpx.AsyncClient`` is shared by every request. Each
    call's time goes to ``timings`` (the page's ``Server-Timing`` header)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        urls: dict[str, str],
        token: str,
        timings: list[CallTiming] | None = None,
    ) -> None:
        self._client, self._urls, self._token = client, urls, token
        self._timings = timings if timings is not None else []

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        started = time.perf_counter()
        response = await self._client.request(
            method,
            self._urls[service] + path,
            json=json,
            params=params,
            files=files,
            headers={"Authorization": f"Bearer {self._token}"},
        )
        elapsed = (time.perf_counter() - started) * 1000
        self._timings.append(CallTiming(service, method, path, elapsed))
        if response.status_code >= 400:
            raise ApiError(response.status_code, error_message(response))
        if response.status_code == 204 or not response.content:
            return None
        if "json" not in response.headers.get("content-type", ""):
            return response.text
        return response.json()

    async def get(self, service: str, path: str, **params: Any) -> Any:
        return await self.call("GET", service, path, params=params or None)

    async def post(self, service: str, path: str, json: Any = None) -> Any:
        return await self.call("POST", service, path, json=json)

    async def upload(self, service: str, path: str, field: str, name: str, content: bytes) -> Any:
        """A file as ``multipart/form-data``, as a browser would send it."""
        return await self.call("POST", service, path, files={field: (name, content, "text/csv")})

    async def patch(self, service: str, path: str, json: Any) -> Any:
        return await self.call("PATCH", service, path, json=json)

    async def items(self, service: str, path: str, **params: Any) -> list[Any]:
        """Every item of a paged list (``items``/``total``), 200 a page."""
        found: list[Any] = []
        while True:
            page = await self.get(service, path, **params, limit=200, offset=len(found))
            found.extend(page["items"])
            if not page["items"] or len(found) >= page["total"]:
                return found
