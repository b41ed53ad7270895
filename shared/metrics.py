"""Prometheus metrics every process exports; names are part of the operations contract."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "mentoring_http_requests_total",
    "HTTP requests answered.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "mentoring_http_request_duration_seconds",
    "HTTP request latency.",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_CONSUMED = Counter(
    "mentoring_events_consumed_total",
    "Events taken from a topic, by outcome (processed, duplicate, dead_lettered).",
    ["service", "topic", "outcome"],
)
EVENTS_PRODUCED = Counter(
    "mentoring_events_produced_total",
    "Events published to a topic.",
    ["service", "topic"],
)
EVENTS_DEAD_LETTERED = Counter(
    "mentoring_events_dead_lettered_total",
    "Messages sent to a dead-letter topic, by reason.",
    ["service", "topic", "reason"],
)
HANDLER_RETRIES = Counter(
    "mentoring_handler_retries_total",
    "Transient failures retried by a consumer before its offset may advance.",
    ["service", "topic"],
)
OUTBOX_BACKLOG = Gauge(
    "mentoring_outbox_backlog",
    "Aggregates with events saved but not yet published.",
    ["service", "collection"],
)
OUTBOX_PUBLISHED = Counter(
    "mentoring_outbox_published_total",
    "Events published by the outbox relay.",
    ["service", "collection"],
)
WORKER_ASSIGNED_PARTITIONS = Gauge(
    "mentoring_worker_assigned_partitions",
    "Partitions currently assigned to this worker (0 until it joined its group).",
    ["service"],
)
CONSUMER_LAG = Gauge(
    "mentoring_consumer_lag",
    "Messages behind the partition's high watermark after the last applied batch.",
    ["service", "topic", "partition"],
)
OUTBOX_EVENTS = Counter(
    "mentoring_outbox_events_total",
    "Events published by the outbox relay, by event type (notification delivery outcomes "
    "are the notifications.delivery.* types).",
    ["service", "topic", "type"],
)
TIMER_LAST_SUCCESS = Gauge(
    "mentoring_timer_last_success_timestamp_seconds",
    "When the worker's timer (e.g. the notifier's due-queue dispatch) last finished a tick.",
    ["service", "timer"],
)
