"""Prometheus metrics every process exports; names are part of the operations contract."""

from __future__ import annotations

import time

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
EVENT_EFFECT_LATENCY = Histogram(
    "mentoring_event_effect_seconds",
    "From an event's time (its producer committed it) to its effects stored by this "
    "consumer: publish-to-effect latency, for every event applied (replay-safe ones too, "
    "which leave no processed-events mark to time them by).",
    ["service", "topic"],
    buckets=(
        *(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75),
        *(1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 20.0, 30.0, 60.0, 120.0),
    ),
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
NOTIFICATION_DELIVERIES = Counter(
    "mentoring_notification_deliveries_total",
    "Notification deliveries by channel, kind (notification type) and outcome (sent, "
    "retrying, failed, suppressed; one suppressed before a channel was chosen has none).",
    ["channel", "kind", "outcome"],
)
NOTIFICATION_LAG = Histogram(
    "mentoring_notification_delivery_lag_seconds",
    "From a notification's due time to its delivery (for reminders: how late they arrive).",
    ["channel", "kind"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600),
)
ROUND_DURATION = Histogram(
    "mentoring_round_duration_seconds",
    "How long a matching round's step took (preview solves a draft; publish proposes it).",
    ["step", "kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
ROUND_SIZE = Histogram(
    "mentoring_round_proposals",
    "Proposals in a matching round at each step.",
    ["step", "kind"],
    buckets=(0, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000),
)
RELATIONSHIPS_BY_HEALTH = Gauge(
    "mentoring_relationships_by_health",
    "Active relationships per health state, as the sessions health sweep last assessed them.",
    ["state"],
)


def observe_round(step: str, kind: str, started: float, proposals: int) -> None:
    """A round step's duration (since ``started``, a ``time.perf_counter()``) and size."""
    ROUND_DURATION.labels(step, kind).observe(time.perf_counter() - started)
    ROUND_SIZE.labels(step, kind).observe(proposals)
