"""The project's producer: kafka-python, ``acks=all``, idempotent where the broker allows.

kafka-python is thread-based; ``publish`` bridges its futures into asyncio so that
async callers can await the broker's acknowledgement without blocking the loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.record import default_records

from shared.contracts.envelope import CONTENT_TYPE, Envelope
from shared.logging import get_logger
from shared.metrics import EVENTS_PRODUCED
from shared.tracing import in_current_trace

log = get_logger(__name__)

Headers = list[tuple[str, bytes]]
#: Batches up to this size are handed over on the event loop (a thread's hop would cost
#: a single event more than its send); larger ones from a thread.
SEND_ON_THE_LOOP_UP_TO = 20
#: Bytes per partition per produce request. kafka-python's 16 KB default holds about 20
#: events; an import or a relay pass sends a thousand at once, and with 256 KB they go
#: in a tenth of the requests (30k events alone: 3.4-3.7 s -> 2.2-2.6 s).
BATCH_BYTES = 256 * 1024


def use_compiled_crc32c() -> bool:
    """kafka-python checksums each record batch it builds in pure Python unless the
    optional ``crc32c`` package is installed (0.4 s a megabyte: most of the CPU of
    publishing a 5,000-person import). aiokafka, which faust brings, has the same
    CRC-32C compiled; the record builder uses that one. False where it is missing."""
    try:
        from aiokafka.record._crecords import crc32c_cython
    except ImportError:  # pragma: no cover - aiokafka built without its extensions
        return False
    default_records.calc_crc32c = crc32c_cython
    return True


use_compiled_crc32c()


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    key: str
    value: bytes
    headers: Headers = field(default_factory=list)

    @classmethod
    def for_event(cls, topic: str, envelope: Envelope) -> OutgoingMessage:
        """Key = the aggregate id (the envelope subject), so one aggregate stays in order;
        published straight (not through the outbox), still in the current trace."""
        return cls(
            topic=topic,
            key=envelope.subject,
            value=in_current_trace(envelope).to_bytes(),
            headers=[("content-type", CONTENT_TYPE.encode())],
        )


class EventProducer:
    def __init__(
        self,
        bootstrap_servers: str,
        *,
        service: str,
        client_id: str | None = None,
        idempotent: bool = True,
        **config: Any,
    ) -> None:
        self.service = service
        options: dict[str, Any] = {
            "bootstrap_servers": bootstrap_servers,
            "client_id": client_id or f"{service}-producer",
            "acks": "all",
            "linger_ms": 5,
            "batch_size": BATCH_BYTES,
            "retries": 2_147_483_647,
            "max_in_flight_requests_per_connection": 5,
            "request_timeout_ms": 30_000,
            "delivery_timeout_ms": 120_000,
            **config,
        }
        try:
            self._producer = KafkaProducer(enable_idempotence=idempotent, **options)
        except KafkaError as exc:
            if not idempotent:
                raise
            log.warning("idempotent_producer_unavailable", error=str(exc))
            self._producer = KafkaProducer(enable_idempotence=False, **options)

    async def publish(self, message: OutgoingMessage) -> None:
        await self.publish_many([message])

    async def publish_many(self, messages: Sequence[OutgoingMessage]) -> None:
        """Send all, then wait until the broker acknowledged every one (or raise). A
        large batch is handed to kafka-python from a thread: 500 sends are about 100 ms of
        Python, which on the event loop stalled every request of the process while its
        relay published (a 50k enrollment: 91 stalls, 4.5 s in all, the longest 538 ms)."""
        if not messages:
            return
        acks = _Acknowledgements(asyncio.get_running_loop(), len(messages))
        if len(messages) > SEND_ON_THE_LOOP_UP_TO:
            await asyncio.to_thread(self._send_all, messages, acks)
        else:
            self._send_all(messages, acks)
        await acks.all_in
        for message in messages:
            EVENTS_PRODUCED.labels(self.service, message.topic).inc()

    def _send_all(self, messages: Sequence[OutgoingMessage], acks: _Acknowledgements) -> None:
        """Hand each message to the producer, its acknowledgement counted by ``acks``
        (kafka-python's producer is thread-safe)."""
        for message in messages:
            future = self._producer.send(
                message.topic,
                key=message.key.encode(),
                value=message.value,
                headers=message.headers,
            )
            future.add_callback(acks.acknowledged)
            future.add_errback(acks.failed)

    def flush(self, timeout_s: float | None = None) -> None:
        self._producer.flush(timeout=timeout_s)

    def close(self, timeout_s: float = 3.0) -> None:
        self._producer.close(timeout=timeout_s)


class _Acknowledgements:
    """A batch's acknowledgements, counted in kafka-python's sender thread: the loop is
    woken once, when the last arrives or the first failure does (a wake-up per message
    was a thousand cross-thread calls for an import's request)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, expected: int) -> None:
        self.loop, self.missing = loop, expected
        self.all_in: asyncio.Future[None] = loop.create_future()
        self._lock = threading.Lock()

    def acknowledged(self, _metadata: object) -> None:
        with self._lock:
            self.missing -= 1
            last = self.missing == 0
        if last:
            self.loop.call_soon_threadsafe(_settle, self.all_in, None)

    def failed(self, error: BaseException) -> None:
        self.loop.call_soon_threadsafe(_settle, self.all_in, error)


def _settle(waiter: asyncio.Future[None], error: BaseException | None) -> None:
    if waiter.done():
        return
    if error is not None:
        waiter.set_exception(error)
    else:
        waiter.set_result(None)
