"""faust's aiokafka transport with a short broker-side fetch wait.

faust builds its worker consumer with ``fetch_max_wait_ms=1500`` and no way to change
it. A broker answers a fetch as soon as ``fetch_min_bytes`` (1) are there, but one that
does not wake a waiting fetch when data is produced (the local broker, measured:
``bench/latency.py``) answers only when the wait runs out: every event then waited up to
1.5 s for its fetch. A short wait costs an idle consumer a few small requests per
second and takes that delay out of publish-to-effect.
"""

from __future__ import annotations

from typing import Any, cast

import aiokafka
from faust.transport.drivers import aiokafka as driver

from shared.kafka.draining import EagerDrainConsumer

#: How long the broker may hold a fetch that finds no new data (milliseconds).
FETCH_MAX_WAIT_MS = 20


class _PromptConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # read by AIOKafkaConsumer.start() when it builds its fetcher
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _PromptConsumer(EagerDrainConsumer):
    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return _PromptConsumerThread(self, loop=self.loop, beacon=self.beacon)


class PromptTransport(driver.Transport):
    Consumer = _PromptConsumer


def fetch_max_wait_ms(consumer: aiokafka.AIOKafkaConsumer) -> int:
    """The broker-side fetch wait a consumer was built with (for tests)."""
    return cast(int, consumer._fetch_max_wait_ms)
