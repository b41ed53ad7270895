"""Honest probes for the processes without an API (the worker, a timer role).

The metrics server answers in its own thread, so its mere answer proves nothing about
the event loop. Here the loop stamps a heartbeat, the consume path stamps each poll of
the broker (the fetch loop's turn, which also happens on an idle topic) and each
applied batch, every timer stamps its ticks, and a loop task records whether the
database answered. ``/healthz`` is 200 only while those stamps are fresh; ``/readyz``
only while the process also has partitions (a consumer) and the database answers.
``/metrics`` stays on the same port.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

from shared.logging import get_logger

log = get_logger(__name__)

Clock = Callable[[], float]
OK = "ok"

#: How often the loop stamps its heartbeat, and checks the database.
HEARTBEAT_INTERVAL_S = 1.0
DATABASE_CHECK_INTERVAL_S = 5.0
#: A database answer older than this no longer counts (a few missed checks).
DATABASE_ANSWER_MAX_AGE_S = 3 * DATABASE_CHECK_INTERVAL_S + 5
#: Start-up (database, topics, the first rebalance) may hold the first stamps back.
STARTUP_GRACE_S = 60.0


@dataclass
class Freshness:
    """When something last happened, and how old it may become before it is stale;
    the first time may take ``first_grace_s`` longer (start-up: joining the group)."""

    max_age_s: float
    clock: Clock = time.monotonic
    first_grace_s: float = STARTUP_GRACE_S
    at: float = field(init=False)
    stamped: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.at = self.clock()

    def stamp(self) -> None:
        self.at = self.clock()
        self.stamped = True

    def verdict(self) -> str:
        age = self.clock() - self.at
        limit = self.max_age_s if self.stamped else self.max_age_s + self.first_grace_s
        if age <= limit:
            return OK
        return f"stale: {age:.1f} s since the last one (limit {limit:g} s)"


class ProcessHealth:
    """What this process's probes report; stamped from the loop, read from the
    metrics thread (plain attribute writes and reads: no lock needed)."""

    def __init__(self, loop_max_age_s: float = 5.0, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self.loop = Freshness(loop_max_age_s, clock)
        self.polls: Freshness | None = None
        self.ticks: dict[str, Freshness] = {}
        self.assigned: int | None = None  # None: not a consumer
        self.database = "not checked yet"
        self.database_answered = Freshness(DATABASE_ANSWER_MAX_AGE_S, clock, first_grace_s=0)
        self.event_loop: asyncio.AbstractEventLoop | None = None

    def expect_polls(self, max_age_s: float) -> None:
        """This process consumes: it must poll within ``max_age_s`` and have partitions."""
        self.polls = Freshness(max_age_s, self.clock)
        self.assigned = 0

    def expect_ticks(self, name: str, max_age_s: float) -> None:
        self.ticks[name] = Freshness(max_age_s, self.clock)

    def polled(self) -> None:
        if self.polls is not None:
            self.polls.stamp()

    def ticked(self, name: str) -> None:
        if name in self.ticks:
            self.ticks[name].stamp()

    def liveness(self) -> dict[str, str]:
        checks = {"event_loop": self.loop.verdict()}
        if self.polls is not None:
            checks["broker_polls"] = self.polls.verdict()
        checks.update({f"timer:{name}": fresh.verdict() for name, fresh in self.ticks.items()})
        return checks

    def readiness(self) -> dict[str, str]:
        checks = self.liveness()
        answered = self.database_answered.verdict()
        checks["mongodb"] = self.database if answered == OK else f"no answer: {answered}"
        if self.assigned is not None:
            checks["partitions"] = OK if self.assigned > 0 else "none assigned"
        return checks

    async def keep(self, database: Callable[[], Awaitable[str]], stop: asyncio.Event) -> None:
        """Stamp the loop's heartbeat and check the database until ``stop`` is set."""
        self.event_loop = asyncio.get_running_loop()
        next_check = 0.0
        while not stop.is_set():
            self.loop.stamp()
            if self.clock() >= next_check:
                next_check = self.clock() + DATABASE_CHECK_INTERVAL_S
                try:
                    self.database = await database()
                except Exception as exc:  # the heartbeat must outlive any check
                    self.database = f"unavailable: {exc!r}"[:200]
                if self.database == OK:
                    self.database_answered.stamp()
            try:
                await asyncio.wait_for(stop.wait(), HEARTBEAT_INTERVAL_S)
            except TimeoutError:
                pass

    def stall_loop(self, seconds: float) -> bool:
        """Block the event loop for ``seconds`` (the fault tests' debug hook)."""
        if self.event_loop is None:
            return False
        self.event_loop.call_soon_threadsafe(time.sleep, seconds)
        return True


#: The process's one health record (one worker or timer role per process).
PROCESS_HEALTH = ProcessHealth()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the base's name
        """Probes every few seconds are not worth a log line."""


def _answer(start_response: Any, checks: dict[str, str]) -> Iterable[bytes]:
    healthy = all(v == OK for v in checks.values())
    body = json.dumps({"status": OK if healthy else "unavailable", "checks": checks}).encode()
    status = "200 OK" if healthy else "503 Service Unavailable"
    start_response(status, [("Content-Type", "application/json")])
    return [body]


def health_app(health: ProcessHealth, stall_s: float = 0.0) -> Callable[..., Iterable[bytes]]:
    """A WSGI app: ``/healthz``, ``/readyz``, and prometheus_client's ``/metrics`` for
    the rest; with ``stall_s`` (tests only) ``POST /debug/stall-loop`` stalls the loop."""
    metrics = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _answer(start_response, health.liveness())
        if path == "/readyz":
            return _answer(start_response, health.readiness())
        if path == "/debug/stall-loop" and stall_s > 0 and environ["REQUEST_METHOD"] == "POST":
            stalled = health.stall_loop(stall_s)
            return _answer(start_response, {"stall": OK if stalled else "no loop yet"})
        return metrics(environ, start_response)

    return app


def serve_health(port: int, host: str, health: ProcessHealth, stall_s: float = 0.0) -> None:
    """Serve the app above in a daemon thread (as prometheus_client's server does)."""
    server = make_server(
        host, port, health_app(health, stall_s), ThreadingWSGIServer, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    if stall_s > 0:
        log.warning("debug_loop_stall_enabled", seconds=stall_s)
