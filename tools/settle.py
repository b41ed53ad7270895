"""Waiting for the running platform to settle: every service's worker has applied every
event on the topics it consumes and every outbox is drained. The topics each worker
consumes are read from the services' handler tables, so this cannot drift from them.

"Applied" is the worker's consumer group having committed past every record of its
topics: a worker commits an offset only after the batch's effects are stored, and it
commits past events it skips. (Processed-events marks cannot say it: replay-safe events
leave none, ``shared.service.replay_safe``.)"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient

from shared.contracts.envelope import Envelope
from shared.contracts.registry import TOPICS
from shared.outbox_staging import FLAG as OUTBOX_FLAG
from shared.service import handled_types
from tools.topics import read_topic

SERVICES = ("matcher", "sessions", "notifications")


def _handled(service: str) -> dict[str, frozenset[str] | None]:
    definition = importlib.import_module(f"services.{service}.bootstrap").SERVICE
    return {topic.name: handled_types(h) for topic, h in definition.handlers.items()}


#: The event types each service's worker reacts to, by topic (``None``: every type).
HANDLED = {service: _handled(service) for service in SERVICES}
#: The topics each service's worker consumes, and every topic the platform publishes.
CONSUMED = {service: tuple(HANDLED[service]) for service in SERVICES}
PUBLISHED = tuple(TOPICS)

Partition = tuple[str, int]


def applied_by(service: str, topic: str, envelope: Envelope) -> bool:
    """Whether ``service``'s worker applies this event of ``topic`` (else it skips it)."""
    types = HANDLED[service][topic]
    return types is None or envelope.type in types


class NotSettled(RuntimeError):
    """Events were still unapplied, or outboxes not drained, when the time ran out."""


def partitions_consumed(service: str) -> int:
    """How many partitions a service's only worker is assigned once its group formed."""
    return sum(TOPICS[topic].partitions for topic in CONSUMED[service])


async def topic_envelopes(bootstrap: str, topics: Iterable[str]) -> dict[str, list[Envelope]]:
    """Every event on each topic, from the beginning (partitions interleaved)."""
    return {
        topic: [Envelope.from_bytes(r.value) for r in await read_topic(bootstrap, topic)]
        for topic in topics
    }


async def topic_event_ids(bootstrap: str, topics: Iterable[str]) -> dict[str, list[str]]:
    """Each topic's event ids, sorted: equal when two reads saw the same events."""
    envelopes = await topic_envelopes(bootstrap, topics)
    return {topic: sorted(e.id for e in events) for topic, events in envelopes.items()}


async def outbox_backlog(db: Any) -> int:
    """Documents whose staged events the relay has not published yet."""
    return sum(
        [
            await db[name].count_documents({OUTBOX_FLAG: True})
            for name in await db.list_collection_names()
        ]
    )


async def wait_until_applied(
    bootstrap: str,
    dbs: dict[str, Any],
    groups: dict[str, str],
    timeout_s: float = 120,
) -> None:
    """Until each service's group has committed past every record on its topics, twice
    running (what a worker applies may publish more, which another worker then consumes),
    with every outbox drained."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        settled = 0
        while settled < 2:
            ends = await end_offsets(bootstrap, PUBLISHED)
            missing = {}
            for service, topics in CONSUMED.items():
                committed = await committed_offsets(admin, groups[service])
                behind = sum(
                    end - committed.get(partition, 0)
                    for partition, end in ends.items()
                    if partition[0] in topics
                )
                if behind > 0:
                    missing[service] = behind
                if unpublished := await outbox_backlog(dbs[service]):
                    missing[f"{service} outbox"] = unpublished
            settled = settled + 1 if not missing else 0
            if asyncio.get_running_loop().time() > deadline:
                raise NotSettled(f"events not applied after {timeout_s:.0f} s: {missing}")
            await asyncio.sleep(1)
    finally:
        admin.close()


async def end_offsets(bootstrap: str, topics: Iterable[str]) -> dict[Partition, int]:
    """Past the last record of each partition that holds any, as read from the beginning
    (the local broker can under-report a partition's end offset; reading cannot)."""
    ends: dict[Partition, int] = {}
    for topic in topics:
        for record in await read_topic(bootstrap, topic):
            key = (topic, record.partition)
            ends[key] = max(ends.get(key, 0), record.offset + 1)
    return ends


async def committed_offsets(admin: KafkaAdminClient, group: str) -> dict[Partition, int]:
    """The offsets ``group`` committed, by partition (a partition it never committed is
    absent)."""
    found = (await asyncio.to_thread(admin.list_group_offsets, group)).get(group, {})
    return {(tp.topic, tp.partition): meta.offset for tp, meta in found.items() if meta.offset >= 0}
