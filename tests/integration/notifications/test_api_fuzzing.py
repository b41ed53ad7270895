"""schemathesis against the running notifications API (authenticated), every check on:
no 5xx, every answer conforms to the published OpenAPI (status codes, content types,
schemas), schema-invalid data is refused with a 4xx and schema-valid data is accepted
(the exceptions, each with its reason, in ``schemathesis.toml`` beside this file).

Run as a person (employee and program admin: inbox, own preferences, deliveries) and
as a machine caller (``service``: reads preferences, is refused the rest). The token's
subject is the person of the OpenAPI examples, whose inbox message and delivery are
seeded, so the example phase reaches the owner's paths, not only their 404s."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.notifications.api import create_app
from shared.mongo import create_client
from tests.integration.notifications.test_authorization_matrix import delivery, message
from tests.support.auth import bearer
from tests.support.fuzzing import fuzz
from tests.support.processes import running
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

#: The operations whose rules no JSON schema states, each with its reason.
CONFIG = Path(__file__).with_name("schemathesis.toml")


def _example(parameter: str) -> str:
    for operations in create_app().openapi()["paths"].values():
        for operation in operations.values():
            for p in operation.get("parameters", []):
                if p["name"] == parameter:
                    return str(p["schema"]["examples"][0])
    raise AssertionError(f"no example for {parameter}")


async def _seed(mongo_url: str, database: str, person_id: str, message_id: str) -> None:
    client = create_client(mongo_url)
    try:
        db = client[database]
        await db.inbox.insert_one(message(message_id, person_id))
        await db.deliveries.insert_one(delivery("dlv-fuzz", person_id))
    finally:
        await client.close()


@pytest.mark.parametrize(
    "roles", [("employee", "program_admin"), ("service",)], ids=["person", "service"]
)
def test_notifications_api_survives_generated_requests_and_matches_its_openapi(
    stack: LocalStack, database_name: str, log_dir: Path, roles: tuple[str, ...]
) -> None:
    person_id = _example("person_id")
    asyncio.run(_seed(stack.mongo_url, database_name, person_id, _example("message_id")))
    token = bearer(person_id, *roles)["Authorization"].split()[1]
    with running(stack, "notifications", "api", database=database_name, log_dir=log_dir) as api:
        result = fuzz(f"http://127.0.0.1:{api['port']}", token, config=CONFIG)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "Missing test data" not in result.stdout or roles == ("service",), result.stdout[-3000:]
