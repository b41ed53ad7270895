"""Consuming events: validate, dead-letter what fails, skip duplicates, never crash.

Events of a type the consumer does not react to (``reacts_to``) are validated and then
passed over: no de-duplication read, no handler, no processed-events mark (applying
them twice does nothing, so there is nothing to remember). The matcher reads every
sessions event for the one it handles, an early ending. Events the consumer reacts to
but whose handler is replay-safe (``replay_safe``: applied again, they change nothing;
``shared.service.replay_safe``) are applied without the de-duplication read and mark.

``EventConsumer.process_batch`` is the whole policy and knows nothing of faust, so it
is tested and benchmarked on its own; ``bind_agent`` plugs it into a faust agent
that takes batches and acks them only after ``process_batch`` returned, i.e. after
the effects are stored, so an offset never advances past an unapplied event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from pymongo.errors import PyMongoError

from shared.contracts.registry import ContractViolation, ParsedEvent, parse_event
from shared.kafka.dedupe import ProcessedEvents
from shared.kafka.producer import EventProducer, OutgoingMessage
from shared.logging import get_logger
from shared.metrics import (
    EVENT_EFFECT_LATENCY,
    EVENTS_CONSUMED,
    EVENTS_DEAD_LETTERED,
    HANDLER_RETRIES,
)

log = get_logger(__name__)

BatchHandler = Callable[[Sequence[ParsedEvent]], Awaitable[None]]

#: Failures worth waiting out (database or broker away) rather than dead-lettering.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (PyMongoError, OSError, asyncio.TimeoutError)


@dataclass(frozen=True)
class RawMessage:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]] = ()


def _every_event(_event: ParsedEvent) -> bool:
    return True


def _no_event(_event: ParsedEvent) -> bool:
    return False


def of_types(event_types: frozenset[str] | None) -> Callable[[ParsedEvent], bool]:
    """Whether an event is of one of ``event_types`` (CloudEvents ``type``; ``None``: any)."""
    if event_types is None:
        return _every_event
    if not event_types:
        return _no_event
    types = event_types

    def of_the_types(event: ParsedEvent) -> bool:
        return event.envelope.type in types

    return of_the_types


@dataclass
class BatchOutcome:
    processed: int = 0
    skipped: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    retries: int = 0
    dead_letter_reasons: list[str] = field(default_factory=list)


class EventConsumer:
    def __init__(
        self,
        *,
        service: str,
        group: str,
        producer: EventProducer,
        processed: ProcessedEvents,
        handler: BatchHandler,
        transient_errors: tuple[type[BaseException], ...] = TRANSIENT_ERRORS,
        max_backoff_s: float = 5.0,
        should_stop: Callable[[], bool] = lambda: False,
        reacts_to: Callable[[ParsedEvent], bool] = _every_event,
        replay_safe: Callable[[ParsedEvent], bool] = _no_event,
    ) -> None:
        self.service = service
        self.group = group
        self.producer = producer
        self.processed = processed
        self.handler = handler
        self.transient_errors = transient_errors
        self.max_backoff_s = max_backoff_s
        self.should_stop = should_stop
        self.reacts_to = reacts_to
        self.replay_safe = replay_safe
        self._topic = ""

    async def process_batch(self, messages: Sequence[RawMessage]) -> BatchOutcome:
        """Apply a batch; returns only when every message is applied, skipped or dead-lettered."""
        outcome = BatchOutcome()
        self._topic = messages[0].topic if messages else ""
        valid: list[tuple[RawMessage, ParsedEvent]] = []
        for message in messages:
            try:
                parsed = parse_event(message.topic, message.value)
            except ContractViolation as exc:
                await self._dead_letter(message, exc.reason, exc.detail, outcome)
                continue
            if self.reacts_to(parsed):
                valid.append((message, parsed))
            else:
                outcome.skipped += 1

        fresh = await self._retrying(lambda: self._drop_duplicates(valid), outcome)
        outcome.duplicates = len(valid) - len(fresh)
        if fresh:
            await self._apply(fresh, outcome)
        topic = messages[0].topic if messages else ""
        EVENTS_CONSUMED.labels(self.service, topic, "processed").inc(outcome.processed)
        EVENTS_CONSUMED.labels(self.service, topic, "skipped").inc(outcome.skipped)
        EVENTS_CONSUMED.labels(self.service, topic, "duplicate").inc(outcome.duplicates)
        EVENTS_CONSUMED.labels(self.service, topic, "dead_lettered").inc(outcome.dead_lettered)
        return outcome

    async def _drop_duplicates(
        self, valid: list[tuple[RawMessage, ParsedEvent]]
    ) -> list[tuple[RawMessage, ParsedEvent]]:
        remembered = [p.envelope.id for _, p in valid if not self.replay_safe(p)]
        seen = await self.processed.already_processed(remembered)
        fresh: list[tuple[RawMessage, ParsedEvent]] = []
        for message, parsed in valid:
            if not self.replay_safe(parsed):
                if parsed.envelope.id in seen:
                    continue
                seen.add(parsed.envelope.id)  # the same event twice in one batch
            fresh.append((message, parsed))
        return fresh

    async def _apply(
        self, fresh: list[tuple[RawMessage, ParsedEvent]], outcome: BatchOutcome
    ) -> None:
        """Whole batch first; if it fails for a non-transient reason, one by one to
        isolate the poison message and dead-letter only that one."""
        events = [parsed for _, parsed in fresh]
        try:
            await self._retrying(lambda: self._handle_and_mark(events), outcome)
            outcome.processed += len(events)
            return
        except Exception as exc:
            if len(fresh) == 1:
                message, _ = fresh[0]
                await self._dead_letter(message, "handler_error", repr(exc), outcome)
                return
        for message, parsed in fresh:
            try:
                await self._retrying(partial(self._handle_and_mark, [parsed]), outcome)
                outcome.processed += 1
            except Exception as exc:
                await self._dead_letter(message, "handler_error", repr(exc), outcome)

    async def _handle_and_mark(self, events: Sequence[ParsedEvent]) -> None:
        await self.handler(events)
        await self.processed.mark_processed(
            e.envelope.id for e in events if not self.replay_safe(e)
        )
        stored = time.time()
        effect = EVENT_EFFECT_LATENCY.labels(self.service, self._topic)
        for event in events:
            effect.observe(max(0.0, stored - event.envelope.time.timestamp()))

    async def _retrying(self, attempt: Callable[[], Awaitable[Any]], outcome: BatchOutcome) -> Any:
        """Retry transient failures with capped exponential backoff, for as long as it
        takes (the offset must not advance); other exceptions propagate."""
        delay = 0.1
        while True:
            try:
                return await attempt()
            except self.transient_errors as exc:
                if self.should_stop():
                    raise
                outcome.retries += 1
                HANDLER_RETRIES.labels(self.service, self._topic).inc()
                log.warning("transient_failure_retrying", error=repr(exc), delay_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff_s)

    async def _dead_letter(
        self, message: RawMessage, reason: str, detail: str, outcome: BatchOutcome
    ) -> None:
        headers = [
            *[(k, v) for k, v in message.headers if not k.startswith("dlq.")],
            ("dlq.origin.topic", message.topic.encode()),
            ("dlq.origin.partition", str(message.partition).encode()),
            ("dlq.origin.offset", str(message.offset).encode()),
            ("dlq.consumer.group", self.group.encode()),
            ("dlq.error.reason", reason.encode()),
            ("dlq.error.detail", detail[:2000].encode()),
            ("dlq.failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        dead = OutgoingMessage(
            topic=f"{message.topic}.dlq",
            key=(message.key or b"").decode(errors="replace"),
            value=message.value or b"",
            headers=headers,
        )
        await self._retrying(lambda: self.producer.publish(dead), outcome)
        outcome.dead_lettered += 1
        outcome.dead_letter_reasons.append(reason)
        EVENTS_DEAD_LETTERED.labels(self.service, message.topic, reason).inc()
        log.warning(
            "event_dead_lettered",
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            reason=reason,
            detail=detail[:300],
        )
