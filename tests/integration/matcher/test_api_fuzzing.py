"""schemathesis against the running matcher API (authenticated), every check on: no 5xx,
schema-invalid data refused, schema-valid data accepted (the few rules no schema can
express are the exceptions in ``schemathesis.toml``), and every answer conforms to the
published OpenAPI (status codes, content types, schemas)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.auth import bearer
from tests.support.fuzzing import fuzz
from tests.support.processes import running
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration


def test_matcher_api_survives_generated_requests_and_matches_its_openapi(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    roles = ("program_admin", "employee", "provisioner")  # the SCIM routes are fuzzed too
    token = bearer("fuzz-admin", *roles)["Authorization"].split()[1]
    with running(stack, "matcher", "api", database=database_name, log_dir=log_dir) as api:
        config = Path(__file__).with_name("schemathesis.toml")
        result = fuzz(f"http://127.0.0.1:{api['port']}", token, config=config)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
