"""The whole local platform as ``make run`` starts it, for end-to-end tests.

``tools.platform run`` on free ports, in its own session, stopped with the SIGINT a
Ctrl-C sends. By default the services trust the repository's development issuer, as in
``make run``; tokens come from the same issuer (``tools.dev_issuer``).
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tools.localstack import free_port
from tools.platform import DEFAULT_PORTS, ROOT

SERVICES = ("MATCHER", "SESSIONS", "NOTIFICATIONS")


@dataclass(frozen=True)
class RunningPlatform:
    ports: dict[str, int]
    log_path: Path
    process: subprocess.Popen[bytes]

    def api(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[f'{service.upper()}_API_PORT']}"

    def metrics(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[f'{service.upper()}_WORKER_METRICS_PORT']}/metrics"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.ports['BROKER_PORT']}"

    @property
    def env(self) -> dict[str, str]:
        """What a user's shell would have beside ``make run``: the ports."""
        return {k: str(v) for k, v in self.ports.items()}


def distinct_free_ports(names: list[str]) -> dict[str, int]:
    chosen: dict[str, int] = {}
    while len(chosen) < len(names):
        port = free_port()
        if port not in chosen.values():
            chosen[names[len(chosen)]] = port
    return chosen


def start(
    ports: dict[str, int], log_path: Path, *, trust_test_issuer: bool = True
) -> subprocess.Popen[bytes]:
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "PYTHONUNBUFFERED": "1"}
    # The test's own database files beside its log (a start again on them keeps them), not
    # the checkout's .local/mongo, where a later `make run` would serve the tests' people.
    env.setdefault("PLATFORM_DATA_DIR", str(log_path.parent / "mongo"))
    # Prometheus beside the platform only where a test asks for it (its own, on its port).
    env.setdefault("PLATFORM_PROMETHEUS", "off")
    if not trust_test_issuer:  # as `make run`: the repository's development issuer
        for service in SERVICES:
            env.pop(f"{service}_AUTH_JWKS_URL", None)
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tools.platform", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def ctrl_c(platform: subprocess.Popen[bytes]) -> None:
    if platform.poll() is not None:
        return
    os.killpg(platform.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    try:
        platform.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(platform.pid, signal.SIGKILL)
        raise


def wait_for_banner(log_path: Path, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        if "The platform is up" in text:
            return
        if proc.poll() is not None:
            raise AssertionError(f"platform exited early:\n{text[-4000:]}")
        time.sleep(0.5)
    raise AssertionError(f"platform not up in {timeout_s}s:\n{log_path.read_text()[-4000:]}")


def wait_for_metric(url: str, name: str, timeout_s: float) -> None:
    """Until the worker reports a positive value (it joined its group and got partitions)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            for line in httpx.get(url, timeout=5).text.splitlines():
                if line.startswith(name) and float(line.rsplit(" ", 1)[1]) > 0:
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never reported {name} > 0")


@contextmanager
def running_platform(workdir: Path, *, trust_test_issuer: bool = True) -> Iterator[RunningPlatform]:
    """The platform up (every worker holding its partitions), stopped on exit. One at a
    time across test processes: ``make run``'s platform writes ``.local/platform.env`` in
    the checkout, and two started side by side (``pytest -n 2``) stopped each other."""
    with one_platform_at_a_time():
        ports = distinct_free_ports(list(DEFAULT_PORTS))
        log_path = workdir / "platform.log"
        process = start(ports, log_path, trust_test_issuer=trust_test_issuer)
        platform = RunningPlatform(ports, log_path, process)
        try:
            wait_for_banner(log_path, process, timeout_s=90)
            for service in SERVICES:
                wait_for_metric(
                    platform.metrics(service), "mentoring_worker_assigned_partitions", 60
                )
            yield platform
        finally:
            ctrl_c(process)


@contextmanager
def one_platform_at_a_time() -> Iterator[None]:
    """An exclusive lock on a file of the checkout, held while a whole platform runs."""
    lock_path = ROOT / ".local" / "platform-tests.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
