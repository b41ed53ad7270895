"""The real matcher API and worker, as the integration tests run them: one pair of
processes over the test's fresh database, with the worker in a group of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
