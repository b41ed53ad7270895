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


@pytest.fixture
def database_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path
