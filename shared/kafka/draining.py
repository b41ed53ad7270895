"""faust's fetch loop, handing a batch agent's records to its lane (``shared.kafka.lanes``).

faust's loop hands each record to its stream through
``Service.wait_first(callback(message), suspend_flow.wait())``, so that a hand-over
stuck on a full buffer is given up when a rebalance suspends the flow. That makes four
tasks per record (the callback, and waits on the flow, on stop and on crash), cancels
three and turns the event loop several times per record: at saturation the matcher's
worker applied about 6,500 events a second while its consume path, in process, applied
16,000-20,000 (``bench/platform.py``). Here a record of a topic a batch agent takes by
a lane is put on it at once when it has room; only a full lane, or a suspended flow,
goes the old way (``wait_first``: given up if the flow is suspended meanwhile). A record
of any other topic goes to its stream as faust hands it over.

The rest of the loop is faust 0.15.3's own (``_drain_messages``, with its hand-over line
replaced).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as driver
from mode import Service, ServiceT

from shared.kafka.lanes import lane_for


class EagerDrainConsumer(driver.Consumer):
    """faust's aiokafka consumer whose fetch loop puts a batch agent's records on its
    lane without a task per record."""

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
        """The record to its batch agent's lane: at once if it has room, else once it
        has (given up if the flow is suspended meanwhile); a record of a topic without a
        lane to its stream, as faust hands it over."""
        lane = lane_for(self.app, message.topic)
        if lane is None:
            await self.wait_first(callback(message), self.suspend_flow.wait())
        elif lane.full() or self.suspend_flow.is_set():
            await self.wait_first(lane.put(message), self.suspend_flow.wait())
        else:
            lane.put_nowait(message)
