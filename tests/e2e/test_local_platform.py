"""`make run` as a newcomer uses it: everything comes up, answers, and Ctrl-C stops it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.auth import bearer
from tools.localstack import free_port
from tools.platform import DEFAULT_PORTS, ROOT

pytestmark = pytest.mark.e2e

SERVICES = ("MATCHER", "SESSIONS", "NOTIFICATIONS")


def test_platform_starts_every_process_answers_ready_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path,
) -> None:
    ports = _distinct_free_ports(list(DEFAULT_PORTS))
    log_path = tmp_path / "platform.log"
    platform = _start(ports, log_path)
    started = time.monotonic()
    try:
        _wait_for_banner(log_path, platform, timeout_s=90)
        children = psutil.Process(platform.pid).children(recursive=True)
        commands = " ".join(" ".join(c.cmdline()) for c in children)
        for role in ("api", "worker"):
            for service in SERVICES:
                assert f"services.{service.lower()} {role}" in commands
        assert "tansu" in commands and "nx-27017" in commands

        for service in SERVICES:
            url = f"http://127.0.0.1:{ports[f'{service}_API_PORT']}"
            assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200
            assert httpx.get(f"{url}/openapi.json", timeout=5).status_code == 200
        assert time.monotonic() - started < 60, "not ready within 60 s"

        matcher = f"http://127.0.0.1:{ports['MATCHER_API_PORT']}"
        admin = bearer("p-0001", "program_admin")  # the demo programs' admin
        programs = httpx.get(f"{matcher}/programs", timeout=5, headers=admin).json()
        assert programs["total"] >= 3, "demo programs missing"
        for service in SERVICES:
            metrics = f"http://127.0.0.1:{ports[f'{service}_WORKER_METRICS_PORT']}/metrics"
            _wait_for_metric(metrics, "mentoring_worker_assigned_partitions", timeout_s=45)
        # The demo programs flow through the broker into the sessions worker's projection.
        sessions = f"http://127.0.0.1:{ports['SESSIONS_API_PORT']}"
        for program in programs["items"]:
            _wait_for_ok(f"{sessions}/programs/{program['id']}", timeout_s=45, headers=admin)
    finally:
        _ctrl_c(platform)
    leftovers = [
        p
        for p in psutil.process_iter(["cmdline"])
        if str(ports["BROKER_PORT"]) in " ".join(p.info["cmdline"] or [])
        or str(ports["MONGO_PORT"]) in " ".join(p.info["cmdline"] or [])
    ]
    assert not leftovers, f"processes left behind: {leftovers}"
    killed = [line for line in log_path.read_text().splitlines() if "SIGKILL" in line]
    assert not killed, f"processes had to be killed: {killed}"

    # Started again at once on the same ports (their last connections in TIME-WAIT).
    again = _start(ports, tmp_path / "platform-again.log")
    try:
        _wait_for_banner(tmp_path / "platform-again.log", again, timeout_s=90)
        for service in SERVICES:
            url = f"http://127.0.0.1:{ports[f'{service}_API_PORT']}"
            assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    finally:
        _ctrl_c(again)


def _start(ports: dict[str, int], log_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "PYTHONUNBUFFERED": "1"}
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tools.platform", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _ctrl_c(platform: subprocess.Popen[bytes]) -> None:
    if platform.poll() is not None:
        return
    os.killpg(platform.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    try:
        platform.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(platform.pid, signal.SIGKILL)
        raise


def _wait_for_banner(log_path: Path, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        if "The platform is up" in text:
            return
        if proc.poll() is not None:
            raise AssertionError(f"platform exited early:\n{text[-4000:]}")
        time.sleep(0.5)
    raise AssertionError(f"platform not up in {timeout_s}s:\n{log_path.read_text()[-4000:]}")


def _wait_for_ok(url: str, timeout_s: float, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if httpx.get(url, timeout=5, headers=headers).status_code == 200:
            return
        time.sleep(0.5)
    raise AssertionError(f"{url} never answered 200")


def _distinct_free_ports(names: list[str]) -> dict[str, int]:
    chosen: dict[str, int] = {}
    while len(chosen) < len(names):
        port = free_port()
        if port not in chosen.values():
            chosen[names[len(chosen)]] = port
    return chosen


def _wait_for_metric(url: str, name: str, timeout_s: float) -> None:
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
