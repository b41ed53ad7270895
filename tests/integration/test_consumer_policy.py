"""The consumer policy over the real broker and database: dead letters, duplicates, retries."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import pytest
from prometheus_client import REGISTRY
from pymongo import AsyncMongoClient
from pymongo.errors import AutoReconnect

from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonUpserted
from shared.contracts.registry import HR_PEOPLE, ParsedEvent
from shared.kafka.consumer import EventConsumer, RawMessage
from shared.kafka.dedupe import ProcessedEvents
from shared.kafka.producer import EventProducer
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration


@pytest.fixture
async def mongo(stack: LocalStack) -> AsyncIterator[AsyncMongoClient[dict[str, object]]]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
def producer(stack: LocalStack) -> EventProducer:
    producer = EventProducer(stack.bootstrap_servers, service="test")
    yield producer
    producer.close()


def person_message(person_id: str, offset: int, event_id: str | None = None) -> RawMessage:
    envelope = Envelope.wrap(
        PersonUpserted(person_id=person_id, display_name="X", email="x@example.com", level=3),
        source="/test",
        subject=person_id,
        event_id=event_id,
    )
    return RawMessage(HR_PEOPLE.name, 0, offset, person_id.encode(), envelope.to_bytes())


def consumer_for(
    mongo: AsyncMongoClient[dict[str, object]], database_name: str, producer: EventProducer, handler
) -> EventConsumer:  # type: ignore[no-untyped-def]
    return EventConsumer(
        service="test",
        group=f"group-{uuid.uuid4().hex[:6]}",
        producer=producer,
        processed=ProcessedEvents(mongo[database_name], "group"),
        handler=handler,
        max_backoff_s=0.05,
    )


def recording() -> tuple[list[str], Callable[[Sequence[ParsedEvent]], Awaitable[None]]]:
    """A handler that records the ids of the events it applied, and its record."""
    applied: list[str] = []

    async def handler(events: Sequence[ParsedEvent]) -> None:
        applied.extend(e.envelope.id for e in events)

    return applied, handler


async def test_duplicates_within_and_across_batches_are_applied_once(
    mongo, database_name, producer
) -> None:  # type: ignore[no-untyped-def]
    applied, handler = recording()
    consumer = consumer_for(mongo, database_name, producer, handler)
    first = await consumer.process_batch(
        [
            person_message("p1", 0, "e1"),
            person_message("p1", 1, "e1"),
            person_message("p2", 2, "e2"),
        ]
    )
    again = await consumer.process_batch([person_message("p1", 3, "e1")])
    assert applied == ["e1", "e2"]
    assert (first.processed, first.duplicates) == (2, 1)
    assert (again.processed, again.duplicates) == (0, 1)


async def test_an_event_of_a_type_the_consumer_does_not_react_to_is_passed_over_unmarked(
    mongo, database_name, producer
) -> None:  # type: ignore[no-untyped-def]
    applied, handler = recording()
    consumer = consumer_for(mongo, database_name, producer, handler)
    consumer.reacts_to = lambda event: event.envelope.subject != "ignored"
    outcome = await consumer.process_batch(
        [person_message("ignored", 0, "e1"), person_message("p2", 1, "e2")]
    )
    marked = await consumer.processed.already_processed(["e1", "e2"])
    assert applied == ["e2"]
    assert (outcome.processed, outcome.skipped, outcome.duplicates) == (1, 1, 0)
    assert marked == {"e2"}


async def test_a_replay_safe_event_is_applied_every_time_without_a_lookup_or_a_mark(
    mongo, database_name, producer
) -> None:  # type: ignore[no-untyped-def]
    """Its handler changes nothing when it applies one again, so nothing is kept to
    skip it: a second delivery is applied again, and no record is written. Each
    application is still timed (publish-to-effect latency, with no mark to time it by)."""
    applied, handler = recording()
    consumer = consumer_for(mongo, database_name, producer, handler)
    timed_before = effects_timed()
    consumer.replay_safe = lambda event: event.envelope.subject == "safe"
    first = await consumer.process_batch(
        [person_message("safe", 0, "e1"), person_message("kept", 1, "e2")]
    )
    again = await consumer.process_batch(
        [person_message("safe", 2, "e1"), person_message("kept", 3, "e2")]
    )
    marked = await consumer.processed.already_processed(["e1", "e2"])
    assert applied == ["e1", "e2", "e1"]
    assert (first.processed, first.duplicates) == (2, 0)
    assert (again.processed, again.duplicates) == (1, 1)
    assert marked == {"e2"}
    assert effects_timed() - timed_before == 3


def effects_timed() -> float:
    labels = {"service": "test", "topic": HR_PEOPLE.name}
    return REGISTRY.get_sample_value("mentoring_event_effect_seconds_count", labels) or 0.0


async def test_a_transient_database_failure_is_retried_not_dead_lettered(
    mongo, database_name, producer
) -> None:  # type: ignore[no-untyped-def]
    failures = iter([AutoReconnect("db away"), AutoReconnect("db away")])

    async def flaky(events: Sequence[ParsedEvent]) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure

    consumer = consumer_for(mongo, database_name, producer, flaky)
    outcome = await consumer.process_batch([person_message("p1", 0)])
    assert (outcome.processed, outcome.retries, outcome.dead_lettered) == (1, 2, 0)


async def test_a_poison_event_is_isolated_and_only_it_is_dead_lettered(
    stack, mongo, database_name, producer
) -> None:  # type: ignore[no-untyped-def]
    before = len(await read_topic(stack.bootstrap_servers, HR_PEOPLE.dlq))
    applied: list[str] = []

    async def handler(events: Sequence[ParsedEvent]) -> None:
        if any(e.data.person_id == "poison" for e in events):  # type: ignore[attr-defined]
            raise ValueError("cannot apply")
        applied.extend(e.data.person_id for e in events)  # type: ignore[attr-defined]

    consumer = consumer_for(mongo, database_name, producer, handler)
    batch = [
        person_message("a", 10),
        person_message("poison", 11),
        person_message("b", 12),
        RawMessage(HR_PEOPLE.name, 0, 13, b"k", b"\x00garbage"),
    ]
    outcome = await consumer.process_batch(batch)

    assert sorted(applied) == ["a", "b"]
    assert (outcome.processed, outcome.dead_lettered) == (2, 2)
    assert sorted(outcome.dead_letter_reasons) == ["handler_error", "invalid_envelope"]
    dead = (await read_topic(stack.bootstrap_servers, HR_PEOPLE.dlq))[before:]
    offsets = sorted(int(dict(r.headers)["dlq.origin.offset"]) for r in dead)
    assert offsets == [11, 13]
    errors = {dict(r.headers)["dlq.error.reason"] for r in dead}
    assert errors == {b"handler_error", b"invalid_envelope"}
