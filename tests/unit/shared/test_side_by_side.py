"""Independent steps wait together (``shared.side_by_side``): results come in argument
order, and an error is raised only once every step has ended, so a retry of the batch
never runs beside a write still under way."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from shared.side_by_side import StepCancelled, side_by_side


async def _after(seconds: float, value: str, log: list[str]) -> str:
    await asyncio.sleep(seconds)
    log.append(value)
    return value


async def _fails(message: str, *, after: float = 0) -> None:
    await asyncio.sleep(after)
    raise RuntimeError(message)


async def _cancels_itself() -> None:
    raise asyncio.CancelledError


async def test_the_results_come_in_argument_order_not_finishing_order() -> None:
    finished: list[str] = []

    results = await side_by_side(_after(0.05, "slow", finished), _after(0, "quick", finished))

    assert results == ["slow", "quick"]
    assert finished == ["quick", "slow"]


async def test_the_steps_wait_together_not_one_after_another() -> None:
    started = asyncio.get_running_loop().time()

    await side_by_side(*(_after(0.2, str(i), []) for i in range(5)))

    assert asyncio.get_running_loop().time() - started < 0.6  # one after another: 1.0 s


async def test_an_error_is_raised_only_after_the_other_steps_have_ended() -> None:
    finished: list[str] = []

    with pytest.raises(RuntimeError, match="planning failed"):
        await side_by_side(_fails("planning failed"), _after(0.1, "tracked", finished))

    assert finished == ["tracked"]


async def test_of_two_errors_the_first_argument_s_is_raised_and_the_other_logged() -> None:
    with capture_logs() as logs, pytest.raises(RuntimeError, match="first"):
        await side_by_side(_fails("first", after=0.05), _fails("second"))  # second ends first

    assert [(e["event"], "second" in e["error"]) for e in logs] == [
        ("side_by_side_further_error", True)
    ]


async def test_a_step_that_cancels_itself_is_an_error_its_caller_can_retry() -> None:
    with pytest.raises(StepCancelled):
        await side_by_side(_cancels_itself(), _after(0, "tracked", []))

    assert issubclass(StepCancelled, Exception)  # caught by a consumer's `except Exception`


async def test_a_cancelled_caller_cancels_its_steps() -> None:
    finished: list[str] = []
    caller = asyncio.ensure_future(side_by_side(_after(1.0, "late", finished)))
    await asyncio.sleep(0.05)

    caller.cancel()

    with pytest.raises(asyncio.CancelledError):
        await caller
    await asyncio.sleep(0)
    assert finished == []


async def test_nothing_to_wait_for_is_no_results() -> None:
    assert await side_by_side() == []
