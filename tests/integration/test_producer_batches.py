"""The producer against the real local broker: a large batch is handed to kafka-python
from a thread (the event loop serves requests meanwhile), a small one on the loop, and
either way every message is acknowledged in order. The messages go to a topic of the
test's own: on a platform topic, a worker of a later test would dead-letter them."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from shared.kafka.producer import SEND_ON_THE_LOOP_UP_TO, EventProducer, OutgoingMessage
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration


async def test_a_large_batch_is_sent_from_a_thread_and_a_small_one_on_the_loop(
    stack: LocalStack,
) -> None:
    topic = f"producer-batches-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    try:
        admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        admin.close()
    producer = EventProducer(stack.bootstrap_servers, service="test")
    threads: list[int] = []
    send = producer._producer.send

    def recording_send(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return send(*args, **kwargs)

    producer._producer.send = recording_send  # type: ignore[method-assign]
    large = SEND_ON_THE_LOOP_UP_TO + 1
    try:
        batch = [OutgoingMessage(topic, "batched", f"{i}".encode()) for i in range(large)]
        await producer.publish_many(batch)
        await producer.publish(OutgoingMessage(topic, "batched", b"last"))
    finally:
        producer.close()

    loop_thread = threading.get_ident()
    assert loop_thread not in threads[:large] and threads[-1] == loop_thread
    values = [
        r.value for r in await read_topic(stack.bootstrap_servers, topic) if r.key == b"batched"
    ]
    assert values == [f"{i}".encode() for i in range(large)] + [b"last"]
