"""A round's matches as their members learn of them, and its relationships as other
systems learn of them: from the platform's topics, read from the start (filtered by
round and program, so a topic with older events is read right too).

Listing 50,000 matches through ``GET /matches`` took 250 pages, each a sorted scan of
every match on the local database (about 0.6 s apiece at 50k): minutes of the bench's
own reads inside the publish figure, slowing the very services it measures. A member
learns of a proposal from its ``mentoring.match.proposed`` event (the notifier's
source); sessions stages ``sessions.relationship.started`` in the same write as the
relationship, so once every one is on the topic, sessions holds every relationship.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.contracts.envelope import Envelope
from shared.contracts.matching import MatchActivated, MatchProposed
from shared.contracts.registry import MATCHES, SESSIONS
from shared.contracts.sessions import RelationshipStarted

#: Records per fetch: a 50k round's proposals come in a few dozen fetches.
FETCH_RECORDS = 5000


@asynccontextmanager
async def _from_the_start(bootstrap: str, topic: str) -> AsyncIterator[AIOKafkaConsumer]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # the cluster's metadata, so the partitions are known
        partitions = sorted(consumer.partitions_for_topic(topic) or ())
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        yield consumer
    finally:
        await consumer.stop()


async def _envelopes(bootstrap: str, topic: str, event_type: str) -> AsyncIterator[Envelope]:
    """Every event of ``event_type`` on ``topic``, from the start, as it comes (forever)."""
    async with _from_the_start(bootstrap, topic) as consumer:
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=FETCH_RECORDS)
            for records in batch.values():
                for record in records:
                    envelope = Envelope.model_validate_json(record.value or b"{}")
                    if envelope.type == event_type:
                        yield envelope


async def proposed_matches(
    bootstrap: str, round_id: str, expected: int
) -> AsyncIterator[tuple[str, list[str]]]:
    """(match id, member ids) of each of the round's ``expected`` proposals, once each."""
    seen: set[str] = set()
    async for envelope in _envelopes(bootstrap, MATCHES.name, MatchProposed.event_type):
        data = envelope.data
        if data.get("round_id") != round_id or data["match_id"] in seen:
            continue
        seen.add(data["match_id"])
        yield data["match_id"], [member["person_id"] for member in data["members"]]
        if len(seen) == expected:
            return


async def relationships_started(
    bootstrap: str, program_id: str, expected: int
) -> AsyncIterator[int]:
    """How many of the program's relationships sessions has started, after each new one,
    until ``expected``."""
    started = _distinct(SESSIONS.name, RelationshipStarted.event_type, "relationship_id")
    async for count in started(bootstrap, program_id, expected):
        yield count


async def matches_activated(bootstrap: str, program_id: str, expected: int) -> AsyncIterator[int]:
    """How many of the program's matches the matcher's relay has announced active, after
    each new one, until ``expected`` (a round that starts on publish: the relay's share)."""
    activated = _distinct(MATCHES.name, MatchActivated.event_type, "match_id")
    async for count in activated(bootstrap, program_id, expected):
        yield count


def _distinct(
    topic: str, event_type: str, key: str
) -> Callable[[str, str, int], AsyncIterator[int]]:
    """A counter of a program's ``event_type`` events on ``topic``, once per ``key``."""

    async def count(bootstrap: str, program_id: str, expected: int) -> AsyncIterator[int]:
        seen: set[str] = set()
        async for envelope in _envelopes(bootstrap, topic, event_type):
            data = envelope.data
            if data.get("program_id") != program_id or data[key] in seen:
                continue
            seen.add(data[key])
            yield len(seen)
            if len(seen) == expected:
                return

    return count
