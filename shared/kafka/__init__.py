"""Kafka plumbing: topic provisioning, the producer, the consumer policy, faust wiring."""

from shared.kafka.admin import provision_topics
from shared.kafka.consumer import BatchOutcome, EventConsumer, RawMessage
from shared.kafka.producer import EventProducer, OutgoingMessage

__all__ = [
    "BatchOutcome",
    "EventConsumer",
    "EventProducer",
    "OutgoingMessage",
    "RawMessage",
    "provision_topics",
]
