"""What keeps an event's way from the broker to its effect short: no fixed batch window,
short broker fetch waits, and a relay that never sleeps on a nudge it was given."""

from __future__ import annotations

import asyncio
from typing import Any

from shared.kafka.agents import _next_batch, create_faust_app
from shared.kafka.fetching import FETCH_MAX_WAIT_MS, PromptTransport, fetch_max_wait_ms
from shared.outbox import OutboxRelay
from shared.settings import ServiceSettings


async def test_an_event_that_arrives_alone_is_handed_over_without_waiting_for_the_window() -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    queue.put_nowait("only")
    loop = asyncio.get_running_loop()
    started = loop.time()
    batch = await _next_batch(queue, size=500, window_s=5.0)
    assert batch == ["only"]
    assert loop.time() - started < 0.5


async def test_events_already_queued_are_taken_as_one_batch_up_to_its_size() -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for n in range(7):
        queue.put_nowait(n)
    assert await _next_batch(queue, size=5, window_s=5.0) == [0, 1, 2, 3, 4]
    assert await _next_batch(queue, size=5, window_s=5.0) == [5, 6]


async def test_a_run_still_crossing_over_joins_the_batch() -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    queue.put_nowait("first")
    asyncio.get_running_loop().call_soon(queue.put_nowait, "right behind")
    assert await _next_batch(queue, size=500, window_s=5.0) == ["first", "right behind"]


async def test_a_consumer_a_batch_behind_waits_for_a_whole_batch_up_to_the_window() -> None:
    """Events of a backlog are late already: gathering a full batch costs them little, and
    saves the round trips of many small ones."""
    queue: asyncio.Queue[Any] = asyncio.Queue()
    queue.put_nowait(0)
    loop = asyncio.get_running_loop()
    for n in range(1, 5):
        loop.call_later(0.01 * n, queue.put_nowait, n)
    assert await _next_batch(queue, size=5, window_s=5.0, behind=True) == [0, 1, 2, 3, 4]


async def test_a_consumer_behind_still_goes_when_the_window_ends() -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    queue.put_nowait("only")
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await _next_batch(queue, size=500, window_s=0.05, behind=True) == ["only"]
    assert 0.04 < loop.time() - started < 1.0


async def test_the_worker_consumer_asks_the_broker_for_short_fetch_waits() -> None:
    app = create_faust_app(ServiceSettings(service_name="latency-test"))
    assert isinstance(app.transport, PromptTransport)
    thread = app.consumer._thread
    consumer = thread._create_worker_consumer(app.transport)
    assert fetch_max_wait_ms(consumer) == FETCH_MAX_WAIT_MS < 100


class _CountingRelay(OutboxRelay):
    """A relay whose passes only count; a nudge arrives while the first pass runs."""

    def __init__(self) -> None:
        super().__init__(None, [], None, service="test", poll_interval_s=30.0)  # type: ignore[arg-type]
        self.passes = 0

    async def relay_once(self) -> int:
        self.passes += 1
        if self.passes == 1:
            self.nudge()  # a commit landing mid-pass
        await asyncio.sleep(0)
        return 0

    async def forget_old_publications(self) -> None:
        return None


async def test_a_nudge_during_a_relay_pass_gets_its_own_pass_at_once() -> None:
    relay, stop = _CountingRelay(), asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    for _ in range(100):
        if relay.passes >= 2:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, 1)
    assert relay.passes == 2, "the nudge was not left for the 30 s poll"


class _ShutOutRelay(_CountingRelay):
    """A relay whose first pass finds its collection leased to the other relay."""

    async def relay_once(self) -> int:
        self.passes += 1
        self.contended = self.passes == 1
        await asyncio.sleep(0)
        return 0


async def test_a_relay_shut_out_by_another_relays_lease_looks_again_soon_not_at_the_poll() -> None:
    relay, stop = _ShutOutRelay(), asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.wait_for(running, 1)
    assert relay.passes == 2, "one quick look after the contended pass, then the 30 s poll"
