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
        #: Answers only for requests whose query holds these parameters, checked first.
        self.filtered: list[tuple[str, dict[str, str], tuple[int, Any]]] = []
        self.sent: list[httpx.Request] = []

    def answer(
        self, route: str, body: Any, status: int = 200, *, when: dict[str, str] | None = None
    ) -> None:
        """``route`` is ``"GET http://matcher/programs"``: method and URL without query;
        with ``when``, only for a query holding those parameters (a filtered list)."""
        if when:
            self.filtered.insert(0, (route, when, (status, body)))
        else:
            self.answers[route] = (status, body)

    def page(self, route: str, items: list[Any], *, when: dict[str, str] | None = None) -> None:
        body = {"items": items, "total": len(items), "limit": 200, "offset": 0}
        self.answer(route, body, when=when)

    def _answer_for(self, route: str, params: httpx.QueryParams) -> tuple[int, Any] | None:
        for wanted_route, when, answer in self.filtered:
            if wanted_route == route and all(params.get(k) == v for k, v in when.items()):
                return answer
        return self.answers.get(route)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        route = f"{request.method} {request.url.copy_with(query=None)}"
        answer = self._answer_for(route, request.url.params)
        if answer is None:
            return httpx.Response(404, json={"detail": f"not found: {route}"})
        status, body = answer
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
