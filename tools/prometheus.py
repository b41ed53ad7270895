"""A real Prometheus beside the local platform, when the ``prometheus`` binary is installed
(Debian: ``apt-get install prometheus``; ``make``'s install step does it where it can).

It scrapes each API's and each worker's ``/metrics`` port and loads the rules of
``deploy/prometheus``. ``make run`` starts one (``PLATFORM_PROMETHEUS=off`` turns it off;
``PROMETHEUS_PORT``, default 9090, a free port if that one is taken) and the live test of
``tests/deploy/test_prometheus_live.py`` starts its own with a one-second scrape interval.
Every target gets the ``pod`` and ``namespace`` labels Kubernetes would add, so the
dashboard's per-pod panels work locally too.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tools.localstack import answers_ok, free_port, port_is_free

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted((ROOT / "deploy" / "prometheus").glob("*.yaml"))
SERVICES = ("matcher", "sessions", "notifications")
DEFAULT_PORT = 9090
#: The namespace label local targets get (in a cluster, the pod's namespace).
LOCAL_NAMESPACE = "local"


def targets(ports: Mapping[str, int]) -> dict[str, str]:
    """Scrape job (``<service>-api`` / ``<service>-worker``, the notifier's dispatcher)
    -> ``host:port``, from the
    platform's port map (``tools.platform.DEFAULT_PORTS`` names)."""
    out = {}
    for service in SERVICES:
        prefix = service.upper()
        out[f"{service}-api"] = f"127.0.0.1:{ports[f'{prefix}_API_PORT']}"
        out[f"{service}-worker"] = f"127.0.0.1:{ports[f'{prefix}_WORKER_METRICS_PORT']}"
    out["notifications-dispatcher"] = f"127.0.0.1:{ports['NOTIFICATIONS_DISPATCHER_METRICS_PORT']}"
    return out


def config(ports: Mapping[str, int], *, scrape_interval_s: float = 5.0) -> dict[str, Any]:
    """The Prometheus configuration: one job per process, the platform's rule files."""
    interval = f"{scrape_interval_s:g}s"
    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(path) for path in RULE_FILES],
        "scrape_configs": [
            {
                "job_name": job,
                "static_configs": [
                    {"targets": [address], "labels": {"pod": job, "namespace": LOCAL_NAMESPACE}}
                ],
            }
            for job, address in targets(ports).items()
        ],
    }


def installed() -> str | None:
    return shutil.which("prometheus")


@dataclass
class LocalPrometheus:
    process: subprocess.Popen[bytes]
    port: int
    storage: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """SIGTERM (Prometheus flushes and exits), SIGKILL if it has not after 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start(
    ports: Mapping[str, int], workdir: Path, port: int, *, scrape_interval_s: float = 5.0
) -> LocalPrometheus:
    """Write the configuration into ``workdir``, start Prometheus on ``port`` with its
    storage in ``workdir/data-<port>`` (kept: a later run on the same port sees the
    earlier history; one day's retention), logs in ``workdir/prometheus.log``, and
    wait until it is ready. It stays in this process's group, so whatever stops the
    group (Ctrl-C, honcho) stops it too."""
    binary = installed()
    if binary is None:
        raise FileNotFoundError("prometheus is not installed")
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / f"prometheus-{port}.yml"  # two platforms, two files
    config_file.write_text(yaml.safe_dump(config(ports, scrape_interval_s=scrape_interval_s)))
    storage = workdir / f"data-{port}"
    with open(workdir / "prometheus.log", "ab") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config_file}",
                f"--storage.tsdb.path={storage}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--storage.tsdb.retention.time=1d",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    prometheus = LocalPrometheus(process, port, storage)
    try:
        wait_ready(prometheus, timeout_s=30)
    except BaseException:
        prometheus.stop()
        raise
    return prometheus


def wait_ready(prometheus: LocalPrometheus, timeout_s: float) -> None:
    process = prometheus.process
    if answers_ok(
        f"{prometheus.url}/-/ready", timeout_s, exited=lambda: process.poll() is not None
    ):
        return
    if process.poll() is not None:
        raise RuntimeError(f"prometheus exited with {process.returncode}")
    raise TimeoutError(f"prometheus at {prometheus.url} not ready in {timeout_s}s")


def prune_storage(workdir: Path, keep: int) -> list[Path]:
    """Remove the ``data-<port>`` directories and ``prometheus-<port>.yml`` files no
    Prometheus serves any more (their port is free), but ``keep``'s: runs on a free
    port (tests, a second platform) leave one each. Returns what was removed."""
    removed = []
    for path in sorted([*workdir.glob("data-*"), *workdir.glob("prometheus-*.yml")]):
        port = path.name.removeprefix("data-").removeprefix("prometheus-").removesuffix(".yml")
        if port.isdigit() and int(port) != keep and port_is_free(int(port)):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def beside_platform(ports: Mapping[str, int], workdir: Path) -> str:
    """For ``make run``: start Prometheus unless turned off or not installed, stop it
    when this process exits; returns the line the banner prints about it."""
    if os.environ.get("PLATFORM_PROMETHEUS", "on").lower() in {"off", "0", "false", "no"}:
        return "  prometheus     off (PLATFORM_PROMETHEUS=off)"
    if installed() is None:
        return "  prometheus     not installed (Debian: apt-get install prometheus)"
    port = int(os.environ.get("PROMETHEUS_PORT", DEFAULT_PORT))
    if not port_is_free(port):
        port = free_port()
    prune_storage(workdir, keep=port)
    try:
        prometheus = start(ports, workdir, port)
    except (OSError, RuntimeError) as exc:
        return f"  prometheus     failed to start ({exc}; log in {workdir}/prometheus.log)"
    atexit.register(prometheus.stop)
    return f"  prometheus     {prometheus.url} (rules and alerts: {prometheus.url}/alerts)"
