"""The project's producer: kafka-python, ``acks=all``, idempotent where the broker allows.

kafka-python is thread-based; ``publish`` bridges its futures into asyncio so that
async callers can await the broker's acknowledgement without blocking the loop.
"""

from __future__ import annotations

import asyncio
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
        """Send all, then wait until the broker acknowledged every one (or raise)."""
        if not messages:
            return
        loop = asyncio.get_running_loop()
        waiters = [self._send(loop, message) for message in messages]
        await asyncio.gather(*waiters)
        for message in messages:
            EVENTS_PRODUCED.labels(self.service, message.topic).inc()

    def _send(
        self, loop: asyncio.AbstractEventLoop, message: OutgoingMessage
    ) -> asyncio.Future[Any]:
        waiter: asyncio.Future[Any] = loop.create_future()

        def resolve(result: Any) -> None:
            loop.call_soon_threadsafe(_settle, waiter, result, None)

        def reject(error: BaseException) -> None:
            loop.call_soon_threadsafe(_settle, waiter, None, error)

        future = self._producer.send(
            message.topic,
            key=message.key.encode(),
            value=message.value,
            headers=message.headers,
        )
        future.add_callback(resolve)
        future.add_errback(reject)
        return waiter

    def flush(self, timeout_s: float | None = None) -> None:
        self._producer.flush(timeout=timeout_s)

    def close(self, timeout_s: float = 3.0) -> None:
        self._producer.close(timeout=timeout_s)


def _settle(waiter: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if waiter.done():
        return
    if error is not None:
        waiter.set_exception(error)
    else:
        waiter.set_result(result)
