"""Session-wide real infrastructure: one local broker and one database for the run.

Both are started on free ports and stopped at the end, even when tests fail. Each
test that writes uses its own database name, so tests do not see each other's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.localstack import LocalStack

#: Fixtures every test may ask for by name: ``spans`` (tracing on, spans kept in memory).
pytest_plugins = ["tests.support.tracing"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    local = LocalStack(tmp_path_factory.mktemp("localstack"))
    local.start()
    try:
        from shared.kafka.admin import provision_topics

        provision_topics(local.bootstrap_servers)
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session", autouse=True)
def dev_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Every service process started by the tests trusts this test-only token issuer."""
    import os

    from tests.support.auth import use_issuer_directory

    jwks_url = use_issuer_directory(tmp_path_factory.mktemp("dev-issuer"))
    names = [f"{s}_AUTH_JWKS_URL" for s in ("MATCHER", "SESSIONS", "NOTIFICATIONS")]
    saved = {n: os.environ.get(n) for n in names}
    os.environ.update({n: jwks_url for n in names})
    yield jwks_url
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def database_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path
