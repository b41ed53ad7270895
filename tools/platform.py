"""``make run``: the whole platform on this machine, one command, Ctrl-C stops it all.

``python -m tools.platform run`` picks the ports, writes ``.local/platform.env`` and
hands over to honcho, which runs the ``Procfile``: the broker, the database, each
service's API and worker as separate processes, the notifier's dispatcher, and ``setup``
(waits until every API is ready, loads the demo data, prints where everything is).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tools.dev_issuer import ensure_keys
from tools.localstack import (
    answers_ok,
    broker_command,
    database_command,
    port_is_free,
    stop_process,
    wait_for_port,
)
from tools.prometheus import beside_platform as prometheus_beside_platform

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
ENV_FILE = LOCAL / "platform.env"
SERVICES = ("matcher", "sessions", "notifications")

#: Defaults stay off 9092 and 27017 so a Kafka or MongoDB already running is left alone.
DEFAULT_PORTS = {
    "BROKER_PORT": 19092,
    "MONGO_PORT": 37017,
    "MATCHER_API_PORT": 8001,
    "SESSIONS_API_PORT": 8002,
    "NOTIFICATIONS_API_PORT": 8003,
    "MATCHER_WORKER_METRICS_PORT": 9101,
    "SESSIONS_WORKER_METRICS_PORT": 9102,
    "NOTIFICATIONS_WORKER_METRICS_PORT": 9103,
    "NOTIFICATIONS_DISPATCHER_METRICS_PORT": 9104,
    "CONSOLE_PORT": 8004,
}


def ports() -> dict[str, int]:
    return {name: int(os.environ.get(name, default)) for name, default in DEFAULT_PORTS.items()}


def platform_env(chosen: dict[str, int]) -> dict[str, str]:
    env = {name: str(port) for name, port in chosen.items()}
    bootstrap = f"127.0.0.1:{chosen['BROKER_PORT']}"
    mongo = f"mongodb://127.0.0.1:{chosen['MONGO_PORT']}"
    for service in SERVICES:
        prefix = service.upper()
        env[f"{prefix}_KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
        env[f"{prefix}_MONGO_URL"] = mongo
        env[f"{prefix}_HTTP_PORT"] = str(chosen[f"{prefix}_API_PORT"])
        env[f"{prefix}_WORKER_METRICS_PORT"] = str(chosen[f"{prefix}_WORKER_METRICS_PORT"])
    mail_port = int(os.environ.get("MAILSINK_PORT", "1025"))
    if not port_is_free(mail_port):  # a second platform (or an e2e test) on this machine
        from tools.localstack import free_port

        mail_port = free_port()
    env["MAILSINK_PORT"] = str(mail_port)
    env["NOTIFICATIONS_SMTP_HOST"] = "127.0.0.1"
    env["NOTIFICATIONS_SMTP_PORT"] = str(mail_port)
    # Links in messages open the console's pages (services/console/link_routes.py),
    # unless told otherwise.
    env["NOTIFICATIONS_APP_BASE_URL"] = os.environ.get(
        "NOTIFICATIONS_APP_BASE_URL", f"http://127.0.0.1:{chosen['CONSOLE_PORT']}"
    )
    env["CONSOLE_HTTP_PORT"] = str(chosen["CONSOLE_PORT"])
    for service in SERVICES:  # the console calls each public API
        env[f"CONSOLE_{service.upper()}_URL"] = (
            f"http://127.0.0.1:{chosen[f'{service.upper()}_API_PORT']}"
        )
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run() -> None:
    chosen = ports()
    busy = [f"{name}={port}" for name, port in chosen.items() if not port_is_free(port)]
    if busy:
        sys.exit(
            "These ports are taken: "
            + ", ".join(busy)
            + ".\nStop what uses them (a previous run?) or choose others, e.g. "
            + "`BROKER_PORT=29092 make run`."
        )
    LOCAL.mkdir(exist_ok=True)
    ensure_keys()  # the development token issuer the services trust
    env = platform_env(chosen)
    ENV_FILE.write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())))
    honcho = shutil.which("honcho", path=str(Path(sys.executable).parent)) or "honcho"
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    os.chdir(ROOT)
    os.execv(honcho, [honcho, "-f", "Procfile", "-e", str(ENV_FILE), "start"])


def broker() -> None:
    _supervise(broker_command(int(os.environ["BROKER_PORT"])))


def data_dir() -> Path:
    """Where the database keeps its files: ``.local/mongo``, or ``PLATFORM_DATA_DIR``. The
    tests' platforms keep theirs apart, so ``make run`` after ``make test`` serves the demo
    data alone, not every person the tests imported."""
    return Path(os.environ.get("PLATFORM_DATA_DIR") or LOCAL / "mongo")


def database() -> None:
    """nx-27017 logs every command at INFO: its log goes to ``nx-27017.log`` beside its data."""
    data = data_dir()
    data.mkdir(parents=True, exist_ok=True)
    _supervise(database_command(int(os.environ["MONGO_PORT"]), data), quiet=True)


#: How long the broker and database outlive a stop request, so that the services,
#: stopped at the same moment, can commit offsets and close cleanly first (honcho
#: kills whatever is still running 5 s after Ctrl-C).
DEPENDENCY_GRACE_S = 2.5


#: prctl's option that has the kernel signal a process when its parent dies (Linux).
PR_SET_PDEATHSIG = 1


def _dies_with_its_supervisor() -> None:
    """In the dependency, before it starts: killed if its supervisor is. honcho kills what
    is left 5 s after Ctrl-C; on a loaded machine that can be the supervisor before it
    stopped its child, which then ran on, orphaned in its own session."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _supervise(command: list[str], *, quiet: bool = False) -> None:
    """Run a dependency in its own session; on SIGTERM/SIGINT stop it after a grace."""
    output = subprocess.DEVNULL if quiet else None
    child = subprocess.Popen(
        command,
        stdout=output,
        stderr=output,
        start_new_session=True,
        preexec_fn=_dies_with_its_supervisor,
    )
    stopping = threading.Event()

    def request_stop(_signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while child.poll() is None and not stopping.wait(0.2):
        pass
    if child.poll() is None:
        time.sleep(DEPENDENCY_GRACE_S)
        stop_process(child, timeout_s=2)
    sys.exit(child.returncode if child.returncode and child.returncode > 0 else 0)


def setup() -> None:
    """Wait for every API, load the demo data, print the map, then stay (honcho stops
    every process when one exits)."""
    from tools import demo

    chosen = ports()
    prometheus = prometheus_beside_platform(chosen, LOCAL / "prometheus")
    wait_for_port(chosen["BROKER_PORT"], timeout_s=60)
    wait_for_port(chosen["MONGO_PORT"], timeout_s=60)
    apis = {s: f"http://127.0.0.1:{chosen[f'{s.upper()}_API_PORT']}" for s in SERVICES}
    started = time.monotonic()
    for service, url in apis.items():
        _wait_ready(service, url, deadline=started + 90)
    ready_s = time.monotonic() - started
    summary = demo.load(apis, bootstrap=f"127.0.0.1:{chosen['BROKER_PORT']}")
    print(_banner(apis, chosen, ready_s, summary), flush=True)
    print(prometheus, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


def _wait_ready(service: str, url: str, deadline: float) -> None:
    if not answers_ok(f"{url}/readyz", max(0.0, deadline - time.monotonic())):
        sys.exit(f"{service} API at {url} was not ready in time; see its log lines above")


def _banner(apis: dict[str, str], chosen: dict[str, int], ready_s: float, demo: str) -> str:
    lines = ["", "=" * 72, f"The platform is up (all APIs ready after {ready_s:.1f}s).", ""]
    for service, url in apis.items():
        lines.append(f"  {service:<14} API {url}   docs {url}/docs")
        metrics = chosen[f"{service.upper()}_WORKER_METRICS_PORT"]
        lines.append(f"  {'':<14} worker metrics http://127.0.0.1:{metrics}/metrics")
    dispatcher = chosen["NOTIFICATIONS_DISPATCHER_METRICS_PORT"]
    lines.append(f"  {'':<14} dispatcher metrics http://127.0.0.1:{dispatcher}/metrics")
    lines += [
        f"  console        http://127.0.0.1:{chosen['CONSOLE_PORT']} (e.g. p-0001, program admin)",
        f"  broker         127.0.0.1:{chosen['BROKER_PORT']} (Kafka protocol, memory only)",
        f"  database       mongodb://127.0.0.1:{chosen['MONGO_PORT']} (data in {data_dir()})",
        "",
        f"  demo data: {demo}",
        "",
        "  Call an API with a development token, e.g. as the demo program admin:",
        "    TOKEN=$(.venv/bin/python -m tools.dev_issuer token --sub p-0001 --role program_admin)",
        f'    curl -H "Authorization: Bearer $TOKEN" {apis["matcher"]}/programs',
        "",
        "Ctrl-C stops everything.",
        "=" * 72,
    ]
    return "\n".join(lines)


COMMANDS = {"run": run, "broker": broker, "database": database, "setup": setup}

if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command not in COMMANDS:
        sys.exit(f"usage: python -m tools.platform {'|'.join(COMMANDS)}")
    COMMANDS[command]()
