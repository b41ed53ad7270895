"""The platform's services on a broker and database of their own, for benchmarks that
go through the REST APIs (``bench/service_scale.py``, ``bench/console.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.kafka.admin import provision_topics
from tests.support.processes import running
from tools.dev_issuer import ensure_keys
from tools.localstack import LocalStack

SERVICES = ("matcher", "sessions")


@dataclass(frozen=True)
class Platform:
    matcher: str
    sessions: str
    issuer: Path
    matcher_pid: int | None
    apis: dict[str, str] = field(default_factory=dict)  # every API started, by service


@contextmanager
def local_platform(workdir: Path, services: tuple[str, ...] = SERVICES) -> Iterator[Platform]:
    """``services`` (API and worker each; the matcher and sessions at least) on a broker
    and database of their own."""
    with ExitStack() as processes:
        stack = LocalStack(workdir / "stack").start()
        processes.callback(stack.stop)
        provision_topics(stack.bootstrap_servers)
        issuer = workdir / "issuer"
        ensure_keys(issuer)
        apis: dict[str, dict[str, Any]] = {}
        for service in services:
            os.environ[f"{service.upper()}_AUTH_JWKS_URL"] = f"file://{issuer / 'jwks.json'}"
            common = {"database": f"scale_{service}", "log_dir": workdir, "log_level": "WARNING"}
            apis[service] = processes.enter_context(running(stack, service, "api", **common))
            group = {"kafka_consumer_group": f"{service}-scale"}
            processes.enter_context(running(stack, service, "worker", **common, **group))
        url = {name: f"http://127.0.0.1:{info['port']}" for name, info in apis.items()}
        yield Platform(url["matcher"], url["sessions"], issuer, apis["matcher"]["proc"].pid, url)
