"""schemathesis against the running sessions API (authenticated): no 5xx, and every
answer conforms to the published OpenAPI (status codes, content types, schemas)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.auth import bearer
from tests.support.fuzzing import fuzz
from tests.support.processes import running
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration
#: The operations whose rules no schema can state (each with its reason).
EXCEPTIONS = Path(__file__).with_name("schemathesis.toml")


def test_sessions_api_survives_generated_requests_and_matches_its_openapi(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    token = bearer("fuzz-admin", "program_admin", "employee")["Authorization"].split()[1]
    with running(stack, "sessions", "api", database=database_name, log_dir=log_dir) as api:
        result = fuzz(f"http://127.0.0.1:{api['port']}", token, examples=25, config=EXCEPTIONS)
    (log_dir / "sessions-schemathesis.txt").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
