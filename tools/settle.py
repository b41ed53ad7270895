"""Waiting for the running platform to settle: every service's worker has applied every
event on the topics it consumes and every outbox is drained. The topics each worker
consumes are read from the services' handler tables, so this cannot drift from them."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterable
from typing import Any

from shared.contracts.envelope import Envelope
from shared.contracts.registry import TOPICS
from shared.kafka.dedupe import COLLECTION as PROCESSED_EVENTS
from shared.kafka.dedupe import processed_key
from shared.outbox import FLAG as OUTBOX_FLAG
from shared.service import handled_types
from tools.topics import read_topic

SERVICES = ("matcher", "sessions", "notifications")


def _handled(service: str) -> dict[str, frozenset[str] | None]:
    definition = importlib.import_module(f"services.{service}.bootstrap").SERVICE
    return {topic.name: handled_types(h) for topic, h in definition.handlers.items()}


#: The event types each service's worker reacts to, by topic (``None``: every type); a
#: worker marks only those applied (``shared.kafka.consumer``).
HANDLED = {service: _handled(service) for service in SERVICES}
#: The topics each service's worker consumes, and every topic the platform publishes.
CONSUMED = {service: tuple(HANDLED[service]) for service in SERVICES}
PUBLISHED = tuple(TOPICS)


def applied_by(service: str, topic: str, envelope: Envelope) -> bool:
    """Whether ``service``'s worker applies (and marks) this event of ``topic``."""
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
    """Until each service's group has applied every event on its topics, twice running
    (what a worker applies may publish more, which another worker then consumes), with
    every outbox drained."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    settled = 0
    while settled < 2:
        envelopes = await topic_envelopes(bootstrap, PUBLISHED)
        missing = {}
        for service, topics in CONSUMED.items():
            wanted = {
                processed_key(groups[service], e.id)
                for t in topics
                for e in envelopes[t]
                if applied_by(service, t, e)
            }
            found = await dbs[service][PROCESSED_EVENTS].count_documents(
                {"_id": {"$in": sorted(wanted)}}
            )
            if found < len(wanted):
                missing[service] = len(wanted) - found
            if unpublished := await outbox_backlog(dbs[service]):
                missing[f"{service} outbox"] = unpublished
        settled = settled + 1 if not missing else 0
        if asyncio.get_running_loop().time() > deadline:
            raise NotSettled(f"events not applied after {timeout_s:.0f} s: {missing}")
        await asyncio.sleep(1)
