"""A topic's records straight from the fetch loop to its batch agent.

faust hands every fetched record to its agent's stream one at a time: flow control and
the producer buffer are checked, key and value deserialised into an ``Event``, the event
put on the channel's queue, taken by the stream's iterator with its sensors, and acked
through its reference count. Our agents take records in batches and need only the
bytes; at saturation that per-record way was most of the matcher worker's CPU (a
profile: 26% in the fetch loop's hand-over, 15% in the stream and its acks, 15% in the
consumer policy itself). By lanes it applies about 29,000 events a second where it
applied 11,000-12,000 (``bench/platform.py --skip-cycle --saturation-batches 40``), 0.93
of its consume path in process.

A lane is a bounded queue per topic. The fetch loop (``shared.kafka.draining``) puts the
records themselves on it; the agent (``shared.kafka.agents``) takes them in batches and
keeps faust's guarantees for them, as its stream did:

- a record taken is tracked as pending (``Consumer.track_message``), so a rebalance and a
  shutdown wait for the batch in hand before they commit;
- it is acked through the consumer only after its batch was applied, so only applied
  offsets are committed;
- the lane is cleared when faust clears its stream buffers at a rebalance (it registers
  with the app's flow control as they do), and a record fetched in an earlier
  generation of the group is dropped, not applied: its partition may have moved.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from typing import Any

import faust
from faust.types import AppT

_LANES: weakref.WeakKeyDictionary[AppT, dict[str, Lane]] = weakref.WeakKeyDictionary()


class Lane(asyncio.Queue[Any]):
    """Records of one topic on their way to its batch agent."""

    def clear(self) -> None:
        """Drop every record (faust's flow control, at a rebalance); a fetch loop waiting
        for room goes on."""
        self._queue.clear()  # type: ignore[attr-defined]  # asyncio.Queue's store, as mode's FlowControlQueue.clear
        while self._putters:  # type: ignore[attr-defined]
            self._wakeup_next(self._putters)  # type: ignore[attr-defined]


def open_lane(app: faust.App, topic: str, maxsize: int) -> Lane:
    """The lane the fetch loop fills with ``topic``'s records, cleared with the stream
    buffers at a rebalance."""
    lane = Lane(maxsize)
    app.flow_control.manage_queue(lane)  # type: ignore[arg-type]  # it calls clear() only
    _LANES.setdefault(app, {})[topic] = lane
    return lane


def lane_for(app: AppT, topic: str) -> Lane | None:
    """The lane of ``topic``, if a batch agent opened one (else faust's stream takes it)."""
    lanes = _LANES.get(app)
    return lanes.get(topic) if lanes else None


def taken(app: faust.App, records: Sequence[Any]) -> list[Any]:
    """The records of a batch the agent may apply, tracked as pending as faust's stream
    tracks what it takes; none while a rebalance suspends the flow, and those fetched in
    an earlier generation of the group are left out (their partition may belong to
    another member now)."""
    if not app.flow_control.is_active():  # a rebalance: the lane is about to be cleared
        return []
    consumer = app.consumer
    generation = app.consumer_generation_id
    current = []
    for record in records:
        if record.generation_id != generation:
            continue
        if not record.tracked:
            record.tracked = True
            consumer.track_message(record)
        current.append(record)
    return current


def acked(app: faust.App, records: Sequence[Any]) -> None:
    """The batch is applied: its offsets may be committed."""
    ack = app.consumer.ack
    for record in records:
        ack(record)
