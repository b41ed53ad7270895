"""Every link the notifier writes into a message opens a console page: with
``NOTIFICATIONS_APP_BASE_URL`` at the console, no notice links to a dead end."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Match

from services.notifications.messages import _ACTION_PATHS
from tests.unit.console.fake_apis import sign_in


def is_a_console_page(client: TestClient, path: str) -> bool:
    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
    return any(route.matches(scope)[0] is Match.FULL for route in client.app.routes)


@pytest.mark.parametrize("template", sorted(set(_ACTION_PATHS.values())))
def test_a_message_link_opens_a_console_page(client: TestClient, template: str) -> None:
    sign_in(client, "adm-1", "program_admin" if template.startswith("admin/") else "employee")
    path = "/" + re.sub(r"\{(\w+)\}", r"\1-7", template)
    if template == "admin/programs/{program_id}":  # a console page itself
        assert is_a_console_page(client, path)
        return
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303, (path, answer.status_code)
    target = answer.headers["location"].split("?")[0].split("#")[0]
    assert target not in ("/signin", path)
    assert is_a_console_page(client, target), (path, target)


def test_a_message_link_asks_a_visitor_to_sign_in_first(client: TestClient) -> None:
    answer = client.get("/matches/m-1", follow_redirects=False)
    assert answer.headers["location"] == "/signin"
