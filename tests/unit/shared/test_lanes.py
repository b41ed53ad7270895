"""A batch agent's topic comes by a lane (``shared.kafka.lanes``): the fetch loop puts
the records themselves on it, the agent takes them in batches, and faust's guarantees
hold as they did for its stream: pending records tracked, only applied ones acked, the
lane cleared at a rebalance, a record of an earlier generation never applied."""

from __future__ import annotations

import asyncio
from typing import Any

import faust
import pytest
from faust.types.tuples import ConsumerMessage

from shared.kafka.agents import bind_agent, create_faust_app
from shared.kafka.draining import EagerDrainConsumer
from shared.kafka.lanes import Lane, acked, lane_for, open_lane, taken
from shared.settings import ServiceSettings

TOPIC = "hr.people.v1"


@pytest.fixture
async def app() -> faust.App:
    """Built inside the running loop (see ``test_fetch_loop``'s consumer), the flow
    running as it does between rebalances."""
    built = create_faust_app(ServiceSettings(service_name="lanes-test"))
    built.flow_control.resume()
    return built


@pytest.fixture
async def fetch_loop(app: faust.App) -> EagerDrainConsumer:
    """Built inside the running loop, as ``test_fetch_loop``'s: mode binds a service to the
    loop current when it is built, and outside a running loop that is whatever loop this
    thread last resolved (a test before may have left another one: the hand-over then
    waited on a loop that never ran)."""
    consumer = app.consumer
    assert isinstance(consumer, EagerDrainConsumer)
    return consumer


def record(offset: int, *, generation: int = 0, topic: str = TOPIC) -> ConsumerMessage:
    return ConsumerMessage(
        topic, 0, offset, 0.0, 0, [], b"key", b"value", None, generation_id=generation
    )


async def never_called(_message: Any) -> None:
    raise AssertionError("a record of a topic with a lane went to a stream")


async def handed_over(fetch_loop: EagerDrainConsumer, message: ConsumerMessage) -> None:
    """``_hand_over`` within 2 s; if not, what the fetch loop's wait depended on (it once
    said ``own_loop: False``: see ``fetch_loop``)."""
    try:
        await asyncio.wait_for(fetch_loop._hand_over(never_called, message), 2)
    except TimeoutError:
        lane = lane_for(fetch_loop.app, message.topic)
        state = {
            "own_loop": fetch_loop.loop is asyncio.get_running_loop(),
            "lane_size": lane.qsize() if lane else None,
            "suspended": fetch_loop.suspend_flow.is_set(),
            "stopped": fetch_loop._stopped.is_set(),
            "crashed": fetch_loop._crashed.is_set(),
        }
        raise AssertionError(f"the hand-over did not end: {state}") from None


# the fetch loop fills the lane


async def test_a_batch_agent_opens_its_topics_lane_and_only_that_topic_has_one(
    app: faust.App,
) -> None:
    async def consumer() -> Any:
        raise AssertionError("not started here")

    bind_agent(app, TOPIC, consumer, batch_size=50)
    lane = lane_for(app, TOPIC)
    assert isinstance(lane, Lane) and lane.maxsize == 100
    assert lane_for(app, "sessions.v1") is None


async def test_the_fetch_loop_puts_a_record_of_a_lane_topic_on_the_lane_not_a_stream(
    app: faust.App, fetch_loop: EagerDrainConsumer
) -> None:
    lane = open_lane(app, TOPIC, maxsize=10)
    await fetch_loop._hand_over(never_called, record(7))
    assert lane.get_nowait().offset == 7


async def test_a_record_waiting_for_room_on_a_full_lane_goes_on_when_the_agent_takes_one(
    app: faust.App, fetch_loop: EagerDrainConsumer
) -> None:
    lane = open_lane(app, TOPIC, maxsize=1)
    await fetch_loop._hand_over(never_called, record(1))
    asyncio.get_running_loop().call_later(0.05, lane.get_nowait)
    await handed_over(fetch_loop, record(2))
    assert [lane.get_nowait().offset] == [2]


async def test_a_record_waiting_for_room_is_given_up_when_the_flow_is_suspended(
    app: faust.App, fetch_loop: EagerDrainConsumer
) -> None:
    """As for a stream: after a rebalance its partition may belong to another member."""
    lane = open_lane(app, TOPIC, maxsize=1)
    await fetch_loop._hand_over(never_called, record(1))
    asyncio.get_running_loop().call_later(0.05, fetch_loop.suspend_flow.set)
    await handed_over(fetch_loop, record(2))
    assert [lane.get_nowait().offset] == [1] and lane.empty()


async def test_a_rebalance_clears_the_lane_with_the_stream_buffers_and_frees_a_waiting_put(
    app: faust.App,
) -> None:
    lane = open_lane(app, TOPIC, maxsize=1)
    lane.put_nowait(record(1))
    waiting = asyncio.ensure_future(lane.put(record(2)))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    app.flow_control.suspend()
    app.flow_control.clear()  # what faust does on partitions revoked
    await asyncio.wait_for(waiting, 2)
    assert [lane.get_nowait().offset] == [2]


# the agent takes and acks


async def test_records_taken_are_pending_until_acked_and_then_committable(
    app: faust.App,
) -> None:
    batch = [record(0), record(1), record(2)]
    consumer = app.consumer
    app.topics._acking_topics.add(TOPIC)
    assert taken(app, batch) == batch
    assert all(r.tracked for r in batch)
    assert set(batch) <= set(consumer._unacked_messages)
    acked(app, batch)
    assert not (set(batch) & set(consumer._unacked_messages))
    assert consumer._acked[batch[0].tp] == [0, 1, 2]
    assert consumer._new_offset(batch[0].tp) == 3


async def test_a_record_fetched_in_an_earlier_generation_is_not_applied(
    app: faust.App,
) -> None:
    app.consumer_generation_id = 4
    fresh, stale = record(5, generation=4), record(4, generation=3)
    assert taken(app, [stale, fresh]) == [fresh]
    assert not stale.tracked


async def test_nothing_is_taken_while_a_rebalance_suspends_the_flow(app: faust.App) -> None:
    app.flow_control.suspend()
    pending = record(0)
    assert taken(app, [pending]) == []
    assert not pending.tracked
