"""Start the services as real processes against the test broker and database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tools.localstack import LocalStack, answers_ok, free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]


def service_env(stack: LocalStack, service: str, database: str, **extra: str) -> dict[str, str]:
    prefix = service.upper()
    env = {
        **os.environ,
        f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        f"{prefix}_MONGO_URL": stack.mongo_url,
        f"{prefix}_MONGO_DATABASE": database,
        f"{prefix}_LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    env.update({f"{prefix}_{k.upper()}": v for k, v in extra.items()})
    return env


@contextmanager
def running(
    stack: LocalStack, service: str, role: str, *, database: str, log_dir: Path, **extra: str
) -> Iterator[dict[str, object]]:
    """Run ``python -m services.<service> <role>``; yields its port (API) and log path."""
    port = free_port()
    env = service_env(stack, service, database, http_port=str(port), **extra)
    log_path = log_dir / f"{service}-{role}-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", f"services.{service}", role],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    info: dict[str, object] = {"port": port, "log": log_path, "proc": proc}
    try:
        if role == "api":
            wait_ready(f"http://127.0.0.1:{port}", proc, log_path)
        yield info
    finally:
        stop_process(proc)


def wait_ready(
    url: str, proc: subprocess.Popen[bytes], log_path: Path, timeout_s: float = 60
) -> None:
    if answers_ok(f"{url}/readyz", timeout_s, exited=lambda: proc.poll() is not None):
        return
    if proc.poll() is not None:
        raise RuntimeError(f"API exited early:\n{log_path.read_text()[-3000:]}")
    raise TimeoutError(f"{url} not ready:\n{log_path.read_text()[-3000:]}")


async def assigned_becomes(metrics_port: int, expected: int, timeout_s: float) -> bool:
    """Whether a worker's assigned-partitions gauge reaches ``expected`` in time (the
    local broker makes a joining group wait out its rebalance timeout)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    async with httpx.AsyncClient() as client:
        while asyncio.get_running_loop().time() < deadline:
            try:
                text = (await client.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
            except httpx.HTTPError:
                text = ""  # not listening yet
            for line in text.splitlines():
                if line.startswith("mentoring_worker_assigned_partitions{"):
                    if float(line.rsplit(" ", 1)[1]) == expected:
                        return True
            await asyncio.sleep(0.5)
    return False
