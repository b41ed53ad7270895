"""How the worker's fetch loop feeds its streams (``shared.kafka.draining``): a record
goes to its stream in one step when nothing stands in the way, and a partition left out
of the fetches while its stream buffer was full is fetched again as soon as it has room,
not after faust's second-long wait."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from faust.types import TP

from shared.kafka.agents import create_faust_app
from shared.kafka.draining import BUFFERED_POLL_S, EagerDrainConsumer, first_step
from shared.settings import ServiceSettings

# first_step: a coroutine's first step now, the rest only if it has to wait


async def test_a_coroutine_that_never_waits_is_done_in_its_first_step() -> None:
    done: list[str] = []

    async def hand_over() -> None:
        done.append("handed over")

    assert first_step(hand_over()) is None
    assert done == ["handed over"]


async def test_what_the_first_step_raises_is_raised_at_once() -> None:
    async def undecodable() -> None:
        raise ValueError("bad record")

    with pytest.raises(ValueError, match="bad record"):
        first_step(undecodable())


async def test_a_coroutine_that_waits_finishes_when_its_remainder_is_awaited() -> None:
    room = asyncio.get_running_loop().create_future()
    steps: list[str] = []

    async def hand_over() -> str:
        steps.append("started")
        await asyncio.sleep(0)
        steps.append("waiting for room")
        await room
        steps.append("put")
        return "delivered"

    remainder = first_step(hand_over())
    assert remainder is not None and steps == ["started"]
    task = asyncio.ensure_future(remainder)
    await asyncio.sleep(0.01)
    assert steps == ["started", "waiting for room"]
    room.set_result(None)
    assert await task == "delivered"
    assert steps[-1] == "put"


async def test_an_error_of_what_the_coroutine_waits_for_reaches_the_coroutine() -> None:
    room = asyncio.get_running_loop().create_future()

    async def hand_over() -> str:
        try:
            await room
        except ConnectionError:
            return "recovered"
        return "delivered"

    remainder = first_step(hand_over())
    assert remainder is not None
    room.set_exception(ConnectionError("broker away"))
    assert await remainder == "recovered"


async def test_cancelling_the_remainder_cancels_the_coroutine_where_it_waits() -> None:
    cleaned_up = asyncio.Event()

    async def hand_over() -> None:
        try:
            await asyncio.Event().wait()  # a buffer that never gets room
        finally:
            cleaned_up.set()

    remainder = first_step(hand_over())
    assert remainder is not None
    task = asyncio.ensure_future(remainder)
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned_up.is_set()


# the consumer: a full buffer's partition is fetched again as soon as it has room


@pytest.fixture
async def consumer() -> EagerDrainConsumer:
    """Built inside the running loop: mode binds a service to the loop current when it is
    built, and outside a running loop that is whatever loop this thread last resolved."""
    app = create_faust_app(ServiceSettings(service_name="fetch-loop-test"))
    built = app.consumer
    assert isinstance(built, EagerDrainConsumer)
    return built


FULL = TP("hr.people.v1", 0)
QUIET = TP("sessions.v1", 0)
#: A record of a topic no batch agent takes by a lane (``shared.kafka.lanes``): its
#: stream's callback gets it.
RECORD = SimpleNamespace(topic="a.topic.without.a.lane")


def _fetches(consumer: EagerDrainConsumer) -> list[tuple[set[TP], float]]:
    """Record each fetch the consumer asks its thread for, answered at once with nothing."""
    fetches: list[tuple[set[TP], float]] = []

    async def getmany(active_partitions: set[TP], timeout: float) -> dict[TP, list[Any]]:  # noqa: ASYNC109
        fetches.append((set(active_partitions), timeout))
        return {}

    consumer._getmany = getmany  # type: ignore[method-assign]
    return fetches


async def test_while_a_buffer_is_full_the_other_partitions_fetch_waits_only_briefly(
    consumer: EagerDrainConsumer,
) -> None:
    """faust fetched the quiet partitions with its one-second poll timeout, so the full
    buffer's partition, back as soon as its stream took a few records, waited that second."""
    fetches = _fetches(consumer)
    consumer._set_active_tps({FULL, QUIET})
    consumer.on_buffer_full(FULL)
    await consumer._wait_next_records(1.0)
    assert fetches == [({QUIET}, BUFFERED_POLL_S)]
    consumer.on_buffer_drop(FULL)
    await consumer._wait_next_records(1.0)
    assert fetches[-1] == ({FULL, QUIET}, 1.0)


async def test_with_every_buffer_full_it_fetches_again_as_soon_as_one_has_room(
    consumer: EagerDrainConsumer,
) -> None:
    """faust slept a whole second when no partition was left to fetch."""
    fetches = _fetches(consumer)
    consumer._set_active_tps({FULL})
    consumer.on_buffer_full(FULL)
    loop = asyncio.get_running_loop()
    loop.call_later(0.05, consumer.on_buffer_drop, FULL)
    started = loop.time()
    await consumer._wait_next_records(1.0)
    assert loop.time() - started < 0.5
    assert fetches == [({FULL}, BUFFERED_POLL_S)]


async def test_a_record_with_room_in_its_buffer_goes_to_its_stream_without_a_task(
    consumer: EagerDrainConsumer,
) -> None:
    handed: list[Any] = []

    async def callback(message: Any) -> None:
        handed.append(message)

    async def no_task(*_: Any, **__: Any) -> None:
        raise AssertionError("a record that needs no wait went through wait_first")

    consumer.wait_first = no_task  # type: ignore[method-assign]
    await consumer._hand_over(callback, RECORD)
    assert handed == [RECORD]


async def test_a_record_waiting_for_room_is_given_up_when_the_flow_is_suspended(
    consumer: EagerDrainConsumer,
) -> None:
    """As in faust: a rebalance suspends the flow, and a hand-over stuck on a full buffer
    must not deliver its record after the partitions moved."""
    delivered: list[Any] = []

    async def callback(message: Any) -> None:
        await asyncio.Event().wait()  # a full buffer
        delivered.append(message)

    asyncio.get_running_loop().call_later(0.05, consumer.suspend_flow.set)
    await asyncio.wait_for(consumer._hand_over(callback, RECORD), 2)
    assert delivered == []


def test_the_fetch_loop_is_faust_0_15_3s_own_apart_from_the_hand_over() -> None:
    """``EagerDrainConsumer._drain_messages`` is a copy of faust's with one line changed:
    a new faust must be compared with it before the pin moves."""
    import faust

    assert faust.__version__ == "0.15.3", "compare shared/kafka/draining.py with faust's loop"
