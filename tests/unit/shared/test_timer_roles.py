"""A role with only timers: its own process, ticking its timers in units of work, never
the worker's event loop."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any

import pytest

from shared.service import ServiceDefinition, Timer, main
from shared.settings import ServiceSettings
from shared.worker import TimerWorker


class _FakeRuntime:
    def __init__(self) -> None:
        self.started = self.stopped = False
        self.units = 0

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    @asynccontextmanager
    async def unit_of_work(self) -> Any:
        self.units += 1
        yield object()


def _definition(*timers: Timer) -> ServiceDefinition:
    return ServiceDefinition(
        name="demo",
        settings=lambda: ServiceSettings(service_name="demo"),
        store=lambda db: None,
        timers=[Timer("in_the_worker", 60.0, lambda uow: asyncio.sleep(0))],
        timer_roles={"dispatcher": list(timers)},
    )


async def test_a_timer_role_ticks_only_its_own_timers_each_in_a_unit_of_work() -> None:
    ticks: list[str] = []

    async def deliver(uow: Any) -> int:
        ticks.append("deliver")
        return 0

    async def broken(uow: Any) -> None:
        raise RuntimeError("a failed tick")

    definition = _definition(Timer("deliver", 0.01, deliver), Timer("broken", 0.01, broken))
    role = TimerWorker(definition, ServiceSettings(service_name="demo"), "dispatcher")
    runtime = role.runtime = _FakeRuntime()  # type: ignore[assignment]
    stop = asyncio.Event()
    serving = asyncio.create_task(role.serve(stop))
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(serving, 2)
    assert [t.name for t in role.timers] == ["deliver", "broken"]
    assert len(ticks) >= 3, "it kept ticking, a failing timer beside it"
    assert runtime.units >= 2 * len(ticks) - 1
    assert runtime.started and runtime.stopped


def test_the_entry_point_names_the_timer_roles_among_its_roles() -> None:
    with pytest.raises(SystemExit, match=r"api\|worker\|dispatcher"):
        main(_definition(), ["nonsense"])
