"""The console's pages against stand-in APIs: one app per test, the network replaced.

The app is imported inside the fixture: without Jinja2 (the console's templates) the
page tests skip, saying so, and the rest of the suite still runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.unit.console.fake_apis import FakeApis, M, N, S
from tools.dev_issuer import ensure_keys


@pytest.fixture
def apis() -> FakeApis:
    return FakeApis()


@pytest.fixture
def client(apis: FakeApis, tmp_path: Path) -> Iterator[TestClient]:
    pytest.importorskip("jinja2", reason="the console's templates need jinja2 (a dependency)")
    from services.console.app import create_app
    from services.console.settings import ConsoleSettings

    ensure_keys(tmp_path)
    settings = ConsoleSettings(
        matcher_url=M, sessions_url=S, notifications_url=N, dev_issuer_dir=tmp_path
    )
    with TestClient(create_app(settings, transport=apis.transport)) as client:
        yield client
