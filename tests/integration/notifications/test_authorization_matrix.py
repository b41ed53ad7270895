"""Who may call what on the notifications API: one expected status per route and role.

The matrix is checked against the app's route table, so a new route without a rule
fails here. Roles: E (employee, the owner of the inbox message and preferences in the
path), O (another employee), A (a program admin, on E's objects), A@ (the same program
admin on their own objects), S (a machine caller, ``service``), H (HR analyst), N (a
valid token without any known role), - (no token). A wrong role is 403, another
person's object 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from services.notifications.api import create_app
from services.notifications.settings import NotificationsSettings
from services.notifications.store import to_ms
from tests.support.auth import bearer
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

ROLE_TOKENS: dict[str, tuple[str, ...]] = {
    "E": ("emp-e",),
    "O": ("emp-o",),
    "A": ("adm-a", "program_admin"),
    "A@": ("adm-a", "program_admin"),
    "S": ("svc-planner", "service"),
    "H": ("hr-h", "hr_analyst"),
    "N": ("nobody", "guest"),
}
#: Path ids per role: everyone names E's objects, except A@ who names their own.
E_IDS = {"person_id": "emp-e", "message_id": "msg-e"}
OWN_IDS = {"A@": {"person_id": "adm-a", "message_id": "msg-a"}}

ANALYST_AND_ROLELESS = [("H", 403), ("N", 403)]

# (method, path template) -> ordered [(role, expected status)], "-" expects 401.
MATRIX: dict[tuple[str, str], list[tuple[str, int]]] = {
    ("GET", "/healthz"): [("-", 200)],
    ("GET", "/readyz"): [("-", 200)],
    ("GET", "/metrics"): [("-", 200)],
    ("GET", "/inbox"): [
        ("-", 401),
        ("E", 200),
        ("O", 200),
        ("A", 200),
        ("S", 403),
        *ANALYST_AND_ROLELESS,
    ],
    ("GET", "/inbox/{message_id}"): [
        ("-", 401),
        ("E", 200),
        ("O", 404),
        ("A", 404),
        ("A@", 200),
        ("S", 403),
        *ANALYST_AND_ROLELESS,
    ],
    ("POST", "/inbox/{message_id}/read"): [
        ("-", 401),
        ("O", 404),
        ("A", 404),
        ("S", 403),
        *ANALYST_AND_ROLELESS,
        ("E", 200),
        ("A@", 200),
    ],
    ("GET", "/people/{person_id}/preferences"): [
        ("-", 401),
        ("E", 200),
        ("O", 404),
        ("A", 404),
        ("A@", 200),
        ("S", 200),
        *ANALYST_AND_ROLELESS,
    ],
    ("PUT", "/people/{person_id}/preferences"): [
        ("-", 401),
        ("O", 404),
        ("A", 404),
        ("S", 403),
        *ANALYST_AND_ROLELESS,
        ("E", 200),
        ("A@", 200),
    ],
    ("GET", "/deliveries"): [
        ("-", 401),
        ("E", 200),
        ("O", 200),
        ("A", 200),
        ("S", 403),
        *ANALYST_AND_ROLELESS,
    ],
    # Slack and Teams prove the sender by their own signature: a platform token is no
    # proof, whoever holds it.
    ("POST", "/chat/slack/actions"): [("-", 401), ("E", 401), ("A", 401), ("S", 401)],
    ("POST", "/chat/teams/actions"): [("-", 401), ("E", 401), ("A", 401), ("S", 401)],
}
#: The challenge of a 401, by route: a bearer token everywhere but Slack's signed requests.
CHALLENGES = {"/chat/slack/actions": "Signature"}

PREFERENCES = {
    "time_zone": "Europe/Lisbon",
    "default_channels": ["inbox", "webhook"],
    "webhook_url": "https://hooks.example.org/emp-e-secret",
    "slack_webhook_url": "https://hooks.slack.example/emp-e-secret",
}


def message(message_id: str, person_id: str) -> dict[str, Any]:
    return {
        "_id": message_id,
        "recipient_id": person_id,
        "notification_key": f"key-{message_id}",
        "type": "relationship_at_risk",
        "subject_id": "rel-1",
        "title": "Your mentoring relationship needs attention",
        "body": "Hello",
        "action_label": None,
        "action_url": None,
        "created_at": T0,
        "created_ms": to_ms(T0),
        "read": False,
        "read_ms": None,
    }


def delivery(delivery_id: str, person_id: str) -> dict[str, Any]:
    return {
        "_id": delivery_id,
        "notification_key": f"key-{delivery_id}",
        "channel": "email",
        "recipient_id": person_id,
        "type": "relationship_at_risk",
        "subject_id": "rel-1",
        "status": "sent",
        "attempt": 1,
        "attempts": [{"n": 1, "at_ms": to_ms(T0), "outcome": "sent", "reason": None}],
        "crash_retried": False,
        "owner": "dispatcher-1",
        "next_ms": None,
        "reason": None,
        "created_at": T0,
        "updated_ms": to_ms(T0),
        "version": 2,
    }


@pytest.fixture
async def client(stack: LocalStack, database_name: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = NotificationsSettings(
        kafka_bootstrap_servers=stack.bootstrap_servers,
        mongo_url=stack.mongo_url,
        mongo_database=database_name,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        db = app.state.runtime.db
        await db.contacts.insert_many(
            [
                {
                    "_id": pid,
                    "display_name": pid,
                    "email": f"{pid}@example.org",
                    "time_zone": "UTC",
                    "slack_user_id": None,
                    "teams_user_id": None,
                    "active": True,
                }
                for pid in ("emp-e", "emp-o", "adm-a")
            ]
        )
        await db.inbox.insert_many([message("msg-e", "emp-e"), message("msg-a", "adm-a")])
        await db.deliveries.insert_one(delivery("dlv-e", "emp-e"))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as http:
            yield http


async def test_every_route_answers_each_role_as_the_access_rules_say(
    client: httpx.AsyncClient,
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    app_routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert app_routes == set(MATRIX), (
        f"routes without an access rule: {sorted(app_routes - set(MATRIX))}; "
        f"rules for missing routes: {sorted(set(MATRIX) - app_routes)}"
    )
    tokens: dict[str, dict[str, str]] = {r: bearer(*args) for r, args in ROLE_TOKENS.items()}
    tokens["-"] = {}

    failures = []
    for (method, template), expectations in MATRIX.items():
        for role, expected in expectations:
            path = template.format(**OWN_IDS.get(role, E_IDS))
            kwargs: dict[str, Any] = {"headers": tokens[role]}
            if method == "PUT":
                kwargs["json"] = PREFERENCES
            response = await client.request(method, path, **kwargs)
            if response.status_code != expected:
                failures.append(
                    f"{method} {template} as {role}: {response.status_code} "
                    f"(expected {expected}) {response.text[:120]}"
                )
            if expected == 401:
                challenge = CHALLENGES.get(template, "Bearer")
                assert response.headers.get("www-authenticate", "").startswith(challenge)
    assert not failures, "\n".join(failures)


async def test_each_caller_sees_only_what_is_theirs_and_services_see_no_addresses(
    client: httpx.AsyncClient,
) -> None:
    owner, other = bearer("emp-e"), bearer("emp-o")
    put = await client.put("/people/emp-e/preferences", headers=owner, json=PREFERENCES)
    assert put.status_code == 200, put.text

    mine = (await client.get("/people/emp-e/preferences", headers=owner)).json()
    assert mine["view"] == "owner"
    assert mine["webhook_url"] == PREFERENCES["webhook_url"]

    seen_by_service = await client.get(
        "/people/emp-e/preferences", headers=bearer("svc-planner", "service")
    )
    assert seen_by_service.status_code == 200
    body = seen_by_service.json()
    assert body["view"] == "service" and body["default_channels"] == ["inbox", "webhook"]
    assert "secret" not in seen_by_service.text
    assert not {"webhook_url", "slack_webhook_url", "teams_webhook_url"} & set(body)

    # A service that is also "the person" still gets the service view: it acts as a machine.
    as_machine = await client.get("/people/emp-e/preferences", headers=bearer("emp-e", "service"))
    assert as_machine.json()["view"] == "service"

    assert (await client.get("/inbox", headers=other)).json()["total"] == 0
    assert [m["id"] for m in (await client.get("/inbox", headers=owner)).json()["items"]] == [
        "msg-e"
    ]
    assert (await client.get("/deliveries", headers=other)).json()["total"] == 0
    history = (await client.get("/deliveries", headers=owner)).json()
    assert history["total"] == 1
    [entry] = history["items"]
    assert entry == {
        "id": "dlv-e",
        "type": "relationship_at_risk",
        "subject_id": "rel-1",
        "channel": "email",
        "status": "sent",
        "attempts": 1,
        "reason": None,
        "created_at": "2026-05-04T09:00:00Z",
        "updated_at": "2026-05-04T09:00:00Z",
    }
    failed_only = await client.get("/deliveries", headers=owner, params={"status": "failed"})
    assert failed_only.json()["total"] == 0
