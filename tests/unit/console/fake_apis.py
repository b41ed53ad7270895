"""A stand-in for the three APIs behind an ``httpx.MockTransport``: canned answers per
``METHOD path``, and every request it was sent (with its bearer token) kept."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi.testclient import TestClient

#: Where the stand-in APIs answer.
M, S, N = "http://matcher", "http://sessions", "http://notifications"


class FakeApis:
    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, Any]] = {}
        self.sent: list[httpx.Request] = []

    def answer(self, route: str, body: Any, status: int = 200) -> None:
        """``route`` is ``"GET http://matcher/programs"``: method and URL without query."""
        self.answers[route] = (status, body)

    def page(self, route: str, items: list[Any]) -> None:
        self.answer(route, {"items": items, "total": len(items), "limit": 200, "offset": 0})

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        route = f"{request.method} {request.url.copy_with(query=None)}"
        if route not in self.answers:
            return httpx.Response(404, json={"detail": f"not found: {route}"})
        status, body = self.answers[route]
        if isinstance(body, str):  # a document that is not JSON (an .ics)
            return httpx.Response(status, text=body, headers={"content-type": "text/calendar"})
        return httpx.Response(status, json=body)

    def bodies(self, route: str) -> list[Any]:
        return [
            json.loads(r.content)
            for r in self.sent
            if f"{r.method} {r.url.copy_with(query=None)}" == route
        ]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def sign_in(client: TestClient, person: str, role: str) -> None:
    """Through the development sign-in form, as a person would."""
    answer = client.post(
        "/signin", data={"person_id": person, "role": role}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
