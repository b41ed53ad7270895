"""Replay a dead-letter topic: put its messages back on the topic they came from.

    python -m tools.replay_dlq mentoring.matches.v1.dlq --group sessions-worker --dry-run
    python -m tools.replay_dlq mentoring.matches.v1.dlq --group sessions-worker

Reads ``<topic>.dlq`` from the beginning up to its end when the command starts, keeps
the messages dead-lettered by ``--group`` (the ``dlq.consumer.group`` header; several
groups consume one topic and each dead-letters its own copy) and, if given, only the
``--offset``\\ s listed, and publishes each to its ``dlq.origin.topic`` with its key, value
and headers, less the ``dlq.*`` ones, plus ``dlq.replayed.from`` =
``<dlq topic>:<partition>:<offset>``. Every group consuming that topic sees it again;
those that applied the event skip it by its envelope id, so a replay is safe to repeat.
Fix the cause first (the ``dlq.error.*`` headers say it): a message that fails the same
way goes back to the dead-letter topic.

Broker: ``--bootstrap`` (default: the local platform's, 127.0.0.1:19092), or
``--service <name>`` to take bootstrap servers and credentials from that service's
environment (``SESSIONS_KAFKA_BOOTSTRAP_SERVERS``, ``SESSIONS_KAFKA_SASL_PASSWORD``...),
as its worker does.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

LOCAL_BOOTSTRAP = "127.0.0.1:19092"
REPLAYED_FROM = "dlq.replayed.from"


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]

    def header(self, name: str) -> str:
        return next((v.decode(errors="replace") for k, v in self.headers if k == name), "")


def broker_options(service: str | None, bootstrap: str | None) -> dict[str, Any]:
    """kafka-python options: the service's settings (credentials too), or plain text."""
    if service is None:
        return {"bootstrap_servers": bootstrap or LOCAL_BOOTSTRAP}
    from shared.kafka.security import kafka_python_options

    settings = importlib.import_module(f"services.{service}.bootstrap").SERVICE.settings()
    servers = bootstrap or settings.kafka_bootstrap_servers
    return {"bootstrap_servers": servers, **kafka_python_options(settings)}


def read_dead_letters(options: dict[str, Any], topic: str, timeout_s: float) -> list[DeadLetter]:
    """Every message on ``topic`` now: to its end offsets, then until two polls in a row
    bring nothing (the local broker can under-report the end of batched writes)."""
    consumer = KafkaConsumer(enable_auto_commit=False, **options)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        if not partitions:
            raise SystemExit(f"{topic}: no such topic")
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        found: list[DeadLetter] = []
        deadline = time.monotonic() + timeout_s
        idle_polls = 0
        while idle_polls < 2 or any(consumer.position(tp) < ends[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise SystemExit(f"{topic}: not read to its end in {timeout_s:.0f}s")
            batch = [r for records in consumer.poll(timeout_ms=500).values() for r in records]
            found += [
                DeadLetter(r.partition, r.offset, r.key, r.value, list(r.headers)) for r in batch
            ]
            idle_polls = 0 if batch else idle_polls + 1
        return sorted(found, key=lambda d: (d.partition, d.offset))
    finally:
        consumer.close()


def chosen(letters: list[DeadLetter], group: str | None, offsets: set[int]) -> list[DeadLetter]:
    return [
        d
        for d in letters
        if (group is None or d.header("dlq.consumer.group") == group)
        and (not offsets or d.offset in offsets)
    ]


def replay(options: dict[str, Any], topic: str, letters: list[DeadLetter]) -> None:
    """Publish each back to its origin, in order, and wait for the broker's acks."""
    producer = KafkaProducer(acks="all", **options)
    try:
        for letter in letters:
            origin = letter.header("dlq.origin.topic")
            headers = [(k, v) for k, v in letter.headers if not k.startswith("dlq.")]
            mark = f"{topic}:{letter.partition}:{letter.offset}".encode()
            producer.send(
                origin,
                key=letter.key,
                value=letter.value,
                headers=[*headers, (REPLAYED_FROM, mark)],
            ).get(timeout=30)
    finally:
        producer.close()


def describe(topic: str, letter: DeadLetter) -> str:
    return (
        f"{topic}:{letter.partition}:{letter.offset} -> {letter.header('dlq.origin.topic')}"
        f" (group {letter.header('dlq.consumer.group') or '?'},"
        f" reason {letter.header('dlq.error.reason') or '?'},"
        f" failed at {letter.header('dlq.failed_at') or '?'})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("topic", help="the dead-letter topic, e.g. mentoring.matches.v1.dlq")
    parser.add_argument("--group", help="only messages this consumer group dead-lettered")
    parser.add_argument("--offset", type=int, action="append", default=[], help="repeatable")
    parser.add_argument("--dry-run", action="store_true", help="list, publish nothing")
    parser.add_argument("--bootstrap", help=f"host:port,... (default {LOCAL_BOOTSTRAP})")
    parser.add_argument("--service", help="take broker settings from this service's env")
    parser.add_argument("--timeout-s", type=float, default=60.0)
    args = parser.parse_args(argv)
    if not args.topic.endswith(".dlq"):
        parser.error("the topic to replay is a dead-letter topic (<topic>.dlq)")
    options = broker_options(args.service, args.bootstrap)
    letters = read_dead_letters(options, args.topic, args.timeout_s)
    selected = chosen(letters, args.group, set(args.offset))
    verb = "would replay" if args.dry_run else "replaying"
    for letter in selected:
        print(f"{verb} {describe(args.topic, letter)}")
    if not args.dry_run:
        replay(options, args.topic, selected)
    done = "would be replayed" if args.dry_run else "replayed"
    print(f"{len(selected)} of {len(letters)} dead-lettered message(s) {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
