"""The producer against the real local broker: a large batch is handed to kafka-python
from a thread (the event loop serves requests meanwhile), a small one on the loop, and
either way every message is acknowledged in order."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from shared.kafka.producer import SEND_ON_THE_LOOP_UP_TO, EventProducer, OutgoingMessage
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration

TOPIC = "mentoring.programs.v1"


async def test_a_large_batch_is_sent_from_a_thread_and_a_small_one_on_the_loop(
    stack: LocalStack,
) -> None:
    producer = EventProducer(stack.bootstrap_servers, service="test")
    threads: list[int] = []
    send = producer._producer.send

    def recording_send(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return send(*args, **kwargs)

    producer._producer.send = recording_send  # type: ignore[method-assign]
    large = SEND_ON_THE_LOOP_UP_TO + 1
    try:
        batch = [OutgoingMessage(TOPIC, "batched", f"{i}".encode()) for i in range(large)]
        await producer.publish_many(batch)
        await producer.publish(OutgoingMessage(TOPIC, "batched", b"last"))
    finally:
        producer.close()

    loop_thread = threading.get_ident()
    assert loop_thread not in threads[:large] and threads[-1] == loop_thread
    values = [
        r.value for r in await read_topic(stack.bootstrap_servers, TOPIC) if r.key == b"batched"
    ]
    assert values == [f"{i}".encode() for i in range(large)] + [b"last"]
