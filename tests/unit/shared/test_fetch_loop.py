"""How the worker's fetch loop hands records over (``shared.kafka.draining``): a batch
agent's records go to its lane (``test_lanes``), any other record to its stream as faust
hands it over, given up when a rebalance suspends the flow."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from shared.kafka.agents import create_faust_app
from shared.kafka.draining import EagerDrainConsumer
from shared.settings import ServiceSettings

#: A record of a topic no batch agent takes by a lane: its stream's callback gets it.
RECORD = SimpleNamespace(topic="a.topic.without.a.lane")


@pytest.fixture
async def consumer() -> EagerDrainConsumer:
    """Built inside the running loop: mode binds a service to the loop current when it is
    built, and outside a running loop that is whatever loop this thread last resolved."""
    app = create_faust_app(ServiceSettings(service_name="fetch-loop-test"))
    built = app.consumer
    assert isinstance(built, EagerDrainConsumer)
    return built


async def test_a_record_of_a_topic_without_a_lane_goes_to_its_stream(
    consumer: EagerDrainConsumer,
) -> None:
    handed: list[Any] = []

    async def callback(message: Any) -> None:
        handed.append(message)

    await asyncio.wait_for(consumer._hand_over(callback, RECORD), 2)
    assert handed == [RECORD]


async def test_a_record_waiting_for_room_in_its_stream_is_given_up_when_the_flow_is_suspended(
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
