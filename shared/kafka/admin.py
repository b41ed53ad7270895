"""Topic provisioning with kafka-python's admin client: idempotent, run at every start-up."""

from __future__ import annotations

import time
from collections.abc import Iterable

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from shared.contracts.registry import TOPICS, Topic
from shared.logging import get_logger

log = get_logger(__name__)

DLQ_PARTITIONS = 1
DLQ_RETENTION_MS = 30 * 24 * 60 * 60 * 1000


def desired_topics(topics: Iterable[Topic] = TOPICS.values()) -> list[NewTopic]:
    """Every registered topic and its dead-letter twin, with partitions and retention."""
    wanted: list[NewTopic] = []
    for topic in topics:
        wanted.append(
            NewTopic(
                topic.name,
                topic.partitions,
                1,
                topic_configs={"retention.ms": str(topic.retention_ms)},
            )
        )
        wanted.append(
            NewTopic(
                topic.dlq,
                DLQ_PARTITIONS,
                1,
                topic_configs={"retention.ms": str(DLQ_RETENTION_MS)},
            )
        )
    return wanted


def provision_topics(
    bootstrap_servers: str,
    *,
    replication_factor: int = 1,
    topics: Iterable[Topic] = TOPICS.values(),
    wait_s: float = 60.0,
    client_id: str = "topic-provisioner",
    **client_config: object,
) -> list[str]:
    """Create the topics that do not exist yet; return the names created.

    Waits up to ``wait_s`` for the broker, so every process can call it at start-up
    without an ordering dependency on the broker being up first.
    """
    admin = _connect(bootstrap_servers, wait_s, client_id, client_config)
    try:
        existing = set(admin.list_topics())
        created: list[str] = []
        for new in desired_topics(topics):
            if new.name in existing:
                continue
            new.replication_factor = replication_factor
            try:
                admin.create_topics([new])
                created.append(new.name)
            except TopicAlreadyExistsError:
                pass  # another process won the race; that is fine
        if created:
            log.info("topics_created", topics=created)
        return created
    finally:
        admin.close()


def _connect(
    bootstrap_servers: str, wait_s: float, client_id: str, config: dict[str, object]
) -> KafkaAdminClient:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return KafkaAdminClient(
                bootstrap_servers=bootstrap_servers, client_id=client_id, **config
            )
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise
            log.info("broker_not_ready", error=str(exc))
            time.sleep(0.5)
