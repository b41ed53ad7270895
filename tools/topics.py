"""Read whole topics from the real broker without a consumer group (tests, benchmarks)."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition


async def read_topic(
    bootstrap: str, topic: str, *, timeout_s: float = 5.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record currently on ``topic`` (all partitions, from the beginning)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if partitions is None:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        records: list[ConsumerRecord[bytes, bytes]] = []
        deadline = asyncio.get_running_loop().time() + timeout_s
        idle_polls = 0
        # The local broker can under-report end offsets of batched writes: read past
        # them until two polls in a row bring nothing new.
        while await _behind(consumer, tps, ends) or idle_polls < 2:
            if asyncio.get_running_loop().time() > deadline:
                break
            batch = await consumer.getmany(timeout_ms=200)
            fetched = [r for recs in batch.values() for r in recs]
            records.extend(fetched)
            idle_polls = 0 if fetched else idle_polls + 1
        return records
    finally:
        await consumer.stop()


async def _behind(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], ends: dict[TopicPartition, int]
) -> bool:
    for tp in tps:
        if await consumer.position(tp) < ends[tp]:
            return True
    return False
