"""The real matcher API and worker, as the integration tests run them: one pair of
processes over the test's fresh database, with the worker in a group of its own; or the
API's app in the test's own process (started, over the same broker and database)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from services.matcher.api import create_app
from services.matcher.settings import MatcherSettings
from tests.support.processes import running
from tools.localstack import LocalStack


@contextmanager
def api_and_worker(stack: LocalStack, database_name: str, log_dir: Path) -> Iterator[str]:
    """Run ``python -m services.matcher api`` and ``worker``; yields the API's base URL."""
    with (
        running(stack, "matcher", "api", database=database_name, log_dir=log_dir) as api,
        running(
            stack,
            "matcher",
            "worker",
            database=database_name,
            log_dir=log_dir,
            kafka_consumer_group=f"matcher-{database_name}",
        ),
    ):
        yield f"http://127.0.0.1:{api['port']}"


@asynccontextmanager
async def app_in_process(
    stack: LocalStack, database_name: str, **settings_overrides: Any
) -> AsyncIterator[FastAPI]:
    """The matcher API's app, started, for ``httpx.ASGITransport``."""
    settings = MatcherSettings(
        kafka_bootstrap_servers=stack.bootstrap_servers,
        mongo_url=stack.mongo_url,
        mongo_database=database_name,
        **settings_overrides,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app
