"""The platform ``bench/service_scale.py`` and ``bench/console.py`` run on: a running
one's addresses, or its services (API and worker each) started on a broker and
database of their own, as the tests start them, and ready as a running platform is:
the APIs answering, the workers holding their partitions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.lib.sigterm import sigterm_unwinds
from shared.kafka.admin import provision_topics
from tests.support.processes import running
from tools.dev_issuer import ensure_keys
from tools.localstack import LocalStack, answers_ok, free_port


@dataclass(frozen=True)
class Platform:
    matcher: str
    sessions: str
    issuer: Path
    matcher_pid: int | None
    #: The database server, for the import's floor (``bench/lib/people_import.py``).
    mongo_url: str | None = None
    #: Every API started, by service (``bench/console.py`` points the console at them).
    apis: dict[str, str] = field(default_factory=dict)
    #: The broker (``bench/service_scale.py`` follows a round on its topics).
    bootstrap: str | None = None


@contextmanager
def ready_worker(stack: LocalStack, service: str, **settings: Any) -> Iterator[None]:
    """A service's worker, once it holds its partitions (as a running platform's does:
    the local broker makes a joining group wait several seconds)."""
    metrics = str(free_port())
    with running(stack, service, "worker", worker_metrics_port=metrics, **settings):
        ready = f"http://127.0.0.1:{metrics}/readyz"
        assert answers_ok(ready, 120), f"{service} worker: no partitions assigned"
        yield


@contextmanager
def local_platform(
    workdir: Path, services: tuple[str, ...] = ("matcher", "sessions")
) -> Iterator[Platform]:
    """``services`` (API and worker each; the matcher and sessions at least) on a broker
    and database of their own."""
    with ExitStack() as processes:
        processes.enter_context(sigterm_unwinds())
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
            processes.enter_context(ready_worker(stack, service, **common, **group))
        url = {name: f"http://127.0.0.1:{info['port']}" for name, info in apis.items()}
        matcher_pid = apis["matcher"]["proc"].pid
        yield Platform(
            url["matcher"],
            url["sessions"],
            issuer,
            matcher_pid,
            stack.mongo_url,
            apis=url,
            bootstrap=stack.bootstrap_servers,
        )
