"""Hostile bodies against every write operation of the running matcher API: a 4xx with
a JSON answer, never a 5xx, over one kept-alive connection (see tests/support/hostile_bodies)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from services.matcher.api import create_app
from tests.support.auth import bearer
from tests.support.hostile_bodies import probe, write_operations
from tests.support.processes import running
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration


def test_matcher_answers_every_hostile_body_with_a_4xx(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    operations = write_operations(create_app().openapi(), {})
    headers = bearer("fuzz-admin", "program_admin", "employee")
    with running(stack, "matcher", "api", database=database_name, log_dir=log_dir) as api:
        base = f"http://127.0.0.1:{api['port']}"
        with httpx.Client(base_url=base, headers=headers, timeout=20) as client:
            result = probe(client, operations)
    (log_dir / "matcher-hostile-inputs.md").write_text(result.table())
    print(result.table())
    assert not result.server_errors, "\n".join(result.server_errors[:20])
