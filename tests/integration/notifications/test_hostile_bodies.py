"""Hostile bodies against every write operation of the running notifications API: a 4xx with
a JSON answer, never a 5xx, over one kept-alive connection (see tests/support/hostile_bodies).

The caller's own preferences are stored first and are the target, so the bodies reach
validation and the service (a replace of real stored preferences), not only a 404."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from services.notifications.api import create_app
from tests.support.auth import bearer
from tests.support.hostile_bodies import Probe, probe, write_operations
from tests.support.processes import running
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

PERSON = "fuzz-person"


def reached_the_service(result: Probe) -> int:
    """How many hostile requests were valid enough to change something (2xx) or to
    meet a concurrent change (409)."""
    return sum(
        count
        for answers in result.answers.values()
        for status, count in answers.items()
        if 200 <= status < 300 or status == 409
    )


def test_notifications_answers_every_hostile_body_with_a_4xx(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    openapi = create_app().openapi()
    operations = write_operations(openapi, {"person_id": PERSON})
    example = openapi["components"]["schemas"]["PreferencesUpdate"]["examples"][0]
    headers = bearer(PERSON, "program_admin", "employee")
    with running(stack, "notifications", "api", database=database_name, log_dir=log_dir) as api:
        base = f"http://127.0.0.1:{api['port']}"
        with httpx.Client(base_url=base, headers=headers, timeout=20) as client:
            stored = client.put(f"/people/{PERSON}/preferences", json=example)
            assert stored.status_code == 200 and stored.json()["version"] == 1, stored.text
            result = probe(client, operations)
    (log_dir / "notifications-hostile-inputs.md").write_text(result.table())
    print(result.table())
    assert not result.server_errors, "\n".join(result.server_errors[:20])
    assert reached_the_service(result) > 0, result.table()
