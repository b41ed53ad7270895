"""`make run` as a newcomer uses it: everything comes up, answers, and Ctrl-C stops it all."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.auth import bearer
from tests.support.platform import (
    SERVICES,
    ctrl_c,
    distinct_free_ports,
    one_platform_at_a_time,
    start,
    wait_for_banner,
    wait_for_metric,
)
from tools.platform import DEFAULT_PORTS

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def alone() -> Iterator[None]:
    """No other test's whole platform beside this one (see ``one_platform_at_a_time``)."""
    with one_platform_at_a_time():
        yield


def test_platform_starts_every_process_answers_ready_and_stops_cleanly_onctrl_c(
    tmp_path: Path,
) -> None:
    ports = distinct_free_ports(list(DEFAULT_PORTS))
    log_path = tmp_path / "platform.log"
    platform = start(ports, log_path)
    started = time.monotonic()
    try:
        wait_for_banner(log_path, platform, timeout_s=90)
        children = psutil.Process(platform.pid).children(recursive=True)
        commands = " ".join(" ".join(c.cmdline()) for c in children)
        for role in ("api", "worker"):
            for service in SERVICES:
                assert f"services.{service.lower()} {role}" in commands
        assert "tansu" in commands and "nx-27017" in commands
        assert f"--data-dir {tmp_path / 'mongo'}" in commands, "the test's data, not .local's"

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
            wait_for_metric(metrics, "mentoring_worker_assigned_partitions", timeout_s=45)
        # The demo programs flow through the broker into the sessions worker's projection.
        sessions = f"http://127.0.0.1:{ports['SESSIONS_API_PORT']}"
        for program in programs["items"]:
            _wait_for_ok(f"{sessions}/programs/{program['id']}", timeout_s=45, headers=admin)
    finally:
        ctrl_c(platform)
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
    again = start(ports, tmp_path / "platform-again.log")
    try:
        wait_for_banner(tmp_path / "platform-again.log", again, timeout_s=90)
        for service in SERVICES:
            url = f"http://127.0.0.1:{ports[f'{service}_API_PORT']}"
            assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    finally:
        ctrl_c(again)


def _wait_for_ok(url: str, timeout_s: float, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if httpx.get(url, timeout=5, headers=headers).status_code == 200:
            return
        time.sleep(0.5)
    raise AssertionError(f"{url} never answered 200")
