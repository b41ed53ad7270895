"""How faust's fetch loop feeds the streams, without its two costs at saturation.

A pre-filled topic held the matcher's worker to about 6,500 events a second while its
consume path, in process, applied 16,000-20,000 (``bench/platform.py``, saturation).
Two causes, each measured:

- **A second-long wait for room.** A partition whose stream buffer is full is left out
  of the fetches until the buffer has room again. Meanwhile faust fetches the other
  partitions with its one-second poll timeout (or, with none left, sleeps a second), so
  the full one waited out that second however soon its stream caught up: a fetch of
  8,500 records, then most of a second idle. Here the fetch waits briefly while a buffer
  is full (``BUFFERED_POLL_S``), and the sleep ends when a buffer has room.
- **Four tasks per record.** The loop hands each record to its stream through
  ``Service.wait_first(callback(message), suspend_flow.wait())``, so that a hand-over
  stuck on a full buffer is given up when a rebalance suspends the flow. That makes four
  tasks (the callback, and waits on the flow, on stop and on crash), cancels three and
  turns the event loop several times per record. The hand-over almost never waits (only
  for the flow to resume, the producer's buffer to ebb or room in a full buffer), so its
  first step runs at once (``first_step``); only one that did have to wait goes the old
  way, its remainder under ``wait_first``. While the flow is suspended or the consumer
  stopping, every hand-over goes the old way.

Each alone gained little; both took the worker to about 11,500. The rest of the loop is
faust 0.15.3's own (``_drain_messages``, with its hand-over line replaced).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Generator
from typing import Any, cast

from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as driver
from mode import Service, ServiceT

from shared.kafka.lanes import lane_for

#: How long a fetch waits for records while a full stream buffer keeps its partition out.
BUFFERED_POLL_S = 0.02


class Remainder:
    """The rest of a coroutine whose first step suspended on ``awaiting``: awaiting this
    waits for it and then resumes the coroutine, passing on what the awaiting task
    sends or throws (a cancellation too) as ``yield from`` does."""

    def __init__(self, coro: Coroutine[Any, Any, Any], awaiting: Any) -> None:
        self.coro = coro
        self.awaiting = awaiting

    def __await__(self) -> Generator[Any, Any, Any]:
        try:
            yield self.awaiting
        except BaseException as exc:
            return (yield from _thrown(self.coro, exc))
        return (yield from self.coro.__await__())


def _thrown(coro: Coroutine[Any, Any, Any], exc: BaseException) -> Generator[Any, Any, Any]:
    try:
        awaiting = coro.throw(exc)
    except StopIteration as stop:
        return stop.value
    return (yield from Remainder(coro, awaiting).__await__())


def first_step(coro: Coroutine[Any, Any, Any]) -> Remainder | None:
    """Run ``coro`` up to its first wait: ``None`` if it finished (its exception, if it
    raised one, propagates), else what is left of it to await."""
    try:
        awaiting = coro.send(None)
    except StopIteration:
        return None
    return Remainder(coro, awaiting)


class EagerDrainConsumer(driver.Consumer):
    """faust's aiokafka consumer whose fetch loop hands records over in one step when it
    can, and fetches again as soon as a full stream buffer has room."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._buffer_room = asyncio.Event()

    def on_buffer_drop(self, tp: Any) -> None:
        super().on_buffer_drop(tp)
        self._buffer_room.set()

    async def _wait_next_records(self, timeout: float) -> Any:  # noqa: ASYNC109  # faust's signature
        """A partition whose stream buffer is full is left out of the fetches until the
        buffer has room again. faust then waits out the whole poll timeout (a second)
        before it fetches that partition again, however soon the buffer had room: a
        fetch of the other partitions waits that long for records, and with none left,
        faust sleeps that long. Both waits end early here once a buffer has room."""
        self._buffer_room.clear()
        if self._buffered_partitions:
            timeout = min(timeout, BUFFERED_POLL_S)
            if self.flow_active and not self._get_active_partitions():
                await self.wait_first(self._buffer_room.wait(), timeout=1.0)
                if not self._get_active_partitions():
                    return {}, set()
        return await super()._wait_next_records(timeout)

    async def _drain_messages(self, fetcher: ServiceT) -> None:  # pragma: no cover - faust's loop
        callback = self.callback
        getmany = self.getmany
        consumer_should_stop = cast(Service, self)._stopped.is_set
        fetcher_should_stop = cast(Service, fetcher)._stopped.is_set
        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        set_flag = self.diag.set_flag
        unset_flag = self.diag.unset_flag
        commit_every = self._commit_every
        acks_enabled_for = self.app.topics.acks_enabled_for
        yield_every, num_since_yield = 100, 0
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                set_flag(CONSUMER_FETCHING)
                records = cast(AsyncIterator[Any], getmany(timeout=1.0))
                await self.sleep(0)
                if not self.should_stop:
                    async for tp, message in records:
                        num_since_yield += 1
                        if num_since_yield > yield_every:
                            await asyncio.sleep(0)
                            num_since_yield = 0
                        offset = message.offset
                        r_offset = get_read_offset(tp)
                        if r_offset is None or offset >= r_offset:
                            gap = offset - (r_offset or 0)
                            if gap > 1 and r_offset and acks_enabled_for(message.topic):
                                await self._add_gap(tp, r_offset + 1, offset)
                            if commit_every is not None and self._n_acked >= commit_every:
                                self._n_acked = 0
                                await self.commit()
                            await self._hand_over(callback, message)
                            set_read_offset(tp, offset)
                    unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            unset_flag(CONSUMER_FETCHING)

    async def _hand_over(self, callback: Any, message: Any) -> None:
        """The record to its batch agent's lane (``shared.kafka.lanes``) or else to its
        stream: at once if nothing stands in the way, else as faust does (given up if the
        flow is suspended, or the consumer stops, meanwhile)."""
        lane = lane_for(self.app, message.topic)
        if lane is not None:
            if lane.full() or self.suspend_flow.is_set():
                await self.wait_first(lane.put(message), self.suspend_flow.wait())
            else:
                lane.put_nowait(message)
            return
        if self.suspend_flow.is_set() or self.should_stop or self._crashed.is_set():
            await self.wait_first(callback(message), self.suspend_flow.wait())
            return
        remainder = first_step(callback(message))
        if remainder is not None:
            await self.wait_first(remainder, self.suspend_flow.wait())
