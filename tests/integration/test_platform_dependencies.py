"""``make run``'s broker and database die with their supervisor (``tools/platform.py``):
honcho kills what is left 5 s after Ctrl-C, and a supervisor killed before it stopped its
dependency (a loaded machine) left that dependency running, orphaned in its own session.
A database left so by an end-to-end test's platform was found running 35 minutes on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import ROOT
from tools.localstack import free_port, port_is_free, wait_for_port

pytestmark = pytest.mark.integration


def test_a_database_whose_supervisor_is_killed_stops_too(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "MONGO_PORT": str(port), "PLATFORM_DATA_DIR": str(tmp_path / "mongo")}
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "tools.platform", "database"], cwd=ROOT, env=env
    )
    try:
        wait_for_port(port, timeout_s=60)
        supervisor.send_signal(signal.SIGKILL)  # as honcho's last resort does
        supervisor.wait(timeout=5)

        deadline = time.monotonic() + 15
        while not port_is_free(port):
            assert time.monotonic() < deadline, "the database outlived its supervisor"
            time.sleep(0.2)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
