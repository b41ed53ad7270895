"""A worker's probes: live only while its loop beats, it polls and its timers tick;
ready only with partitions and a database that answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from shared.health import DATABASE_ANSWER_MAX_AGE_S, OK, STARTUP_GRACE_S, ProcessHealth, health_app


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def consumer_health(clock: FakeClock) -> ProcessHealth:
    health = ProcessHealth(loop_max_age_s=5, clock=clock)
    health.expect_polls(max_age_s=10)
    health.loop.stamp()
    health.polled()
    health.database = OK
    health.database_answered.stamp()
    health.assigned = 3
    return health


def test_a_fresh_consumer_is_live_and_ready() -> None:
    health = consumer_health(FakeClock())
    assert set(health.liveness().values()) == {OK}
    assert set(health.readiness().values()) == {OK}


def test_a_stalled_event_loop_fails_liveness_and_readiness() -> None:
    clock = FakeClock()
    health = consumer_health(clock)
    clock.now += 6
    health.polled()  # polls alone do not prove the loop beats
    assert health.liveness()["event_loop"].startswith("stale: 6.0 s")
    assert health.readiness()["event_loop"] != OK


def test_a_consumer_that_stopped_polling_for_the_session_timeout_is_not_live() -> None:
    clock = FakeClock()
    health = consumer_health(clock)
    for _ in range(11):
        clock.now += 1
        health.loop.stamp()
    assert health.liveness()["broker_polls"].startswith("stale: 11.0 s")


def test_an_idle_consumer_that_keeps_polling_stays_live() -> None:
    clock = FakeClock()
    health = consumer_health(clock)
    for _ in range(600):  # ten minutes without a message, a poll every second
        clock.now += 1
        health.loop.stamp()
        health.polled()
    assert set(health.liveness().values()) == {OK}


def test_a_timer_is_stale_only_after_its_allowed_age() -> None:
    clock = FakeClock()
    health = ProcessHealth(clock=clock)
    health.expect_ticks("dispatch", max_age_s=62)
    health.ticked("dispatch")
    clock.now += 60
    health.loop.stamp()
    assert health.liveness()["timer:dispatch"] == OK
    clock.now += 3
    health.loop.stamp()
    assert health.liveness()["timer:dispatch"].startswith("stale")
    health.ticked("dispatch")
    assert health.liveness()["timer:dispatch"] == OK


def test_start_up_may_hold_the_first_beat_and_poll_back_for_its_grace() -> None:
    clock = FakeClock()
    health = ProcessHealth(loop_max_age_s=5, clock=clock)
    health.expect_polls(max_age_s=10)
    clock.now += STARTUP_GRACE_S
    assert set(health.liveness().values()) == {OK}
    clock.now += 6
    assert health.liveness()["event_loop"].startswith("stale")
    assert health.liveness()["broker_polls"] == OK


def test_readiness_needs_partitions_and_a_recent_database_answer() -> None:
    clock = FakeClock()
    health = consumer_health(clock)
    health.assigned = 0
    assert health.readiness()["partitions"] == "none assigned"
    health.assigned = 2
    health.database = "unavailable: ServerSelectionTimeoutError()"
    assert health.readiness()["mongodb"].startswith("unavailable")
    health.database = OK
    clock.now += DATABASE_ANSWER_MAX_AGE_S + 1
    health.loop.stamp()
    health.polled()
    assert health.readiness()["mongodb"].startswith("no answer")
    assert set(health.liveness().values()) == {OK}  # the database is not liveness


def test_a_timer_process_is_ready_without_partitions() -> None:
    health = ProcessHealth()
    health.database = OK
    health.database_answered.stamp()
    assert "partitions" not in health.readiness()
    assert set(health.readiness().values()) == {OK}


async def test_keep_beats_and_records_the_database_answer() -> None:
    health = ProcessHealth(clock=FakeClock())
    health.loop.at = -1.0
    stop = asyncio.Event()
    answers = []

    async def database() -> str:
        answers.append(1)
        stop.set()
        return "unavailable: down"

    await asyncio.wait_for(health.keep(database, stop), 2)
    assert health.loop.at == 1000.0
    assert health.database == "unavailable: down" and answers == [1]
    assert health.stall_loop(0) is True


async def test_a_database_check_that_raises_is_reported_and_the_beat_goes_on() -> None:
    health = ProcessHealth()
    stop = asyncio.Event()

    async def database() -> str:
        stop.set()
        raise OSError("network down")

    await asyncio.wait_for(health.keep(database, stop), 2)
    assert health.database == "unavailable: OSError('network down')"


def call(app: Any, path: str, method: str = "GET") -> tuple[str, Any]:
    answer: dict[str, str] = {}

    def start_response(status: str, _headers: Any) -> None:
        answer["status"] = status

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": method}, start_response))
    return answer["status"], body


def test_the_probe_server_answers_503_with_the_reasons_and_keeps_metrics() -> None:
    clock = FakeClock()
    health = consumer_health(clock)
    app = health_app(health)
    assert call(app, "/healthz")[0] == "200 OK"
    clock.now += 30
    status, body = call(app, "/healthz")
    assert status.startswith("503")
    assert json.loads(body)["checks"]["event_loop"].startswith("stale")
    assert call(app, "/readyz")[0].startswith("503")
    assert b"# HELP" in call(app, "/metrics")[1]


def test_the_stall_hook_exists_only_when_enabled() -> None:
    health = ProcessHealth()
    assert call(health_app(health), "/debug/stall-loop", "POST")[0].startswith("405")
    status, body = call(health_app(health, stall_s=1), "/debug/stall-loop", "POST")
    assert json.loads(body)["checks"] == {"stall": "no loop yet"}
    assert status.startswith("503")
