"""The Grafana dashboard (``deploy/grafana/mentoring-platform.json``), built on the metric
names ``shared/metrics.py`` exports and prometheus_client's standard ``process_*`` /
``python_*`` collectors; ``tests/deploy`` checks every query against the registry."""

from __future__ import annotations

from typing import Any

from deploy.grafana_layout import DATASOURCE, RATE, Panel, Row, laid_out
from deploy.grafana_layout import panel as _panel
from deploy.grafana_outcomes import outcomes_row

SERVICE = 'service=~"$service"'
#: Gauges and process metrics carry no ``service`` label from the code; Prometheus adds
#: the pod's labels (``namespace``, ``pod``) when it scrapes.


SERVER_ERRORS = 'status=~"5.."'


def _sel(extra: str = "") -> str:
    return "{" + SERVICE + (f", {extra}" if extra else "") + "}"


def _rate(metric: str, by: str, extra: str = "", window: str = RATE) -> str:
    return f"sum by ({by}) (rate({metric}{_sel(extra)}{window}))"


def _quantile(q: float, by: str, histogram: str = "mentoring_http_request_duration_seconds") -> str:
    buckets = _rate(f"{histogram}_bucket", f"{by}, le")
    return f"histogram_quantile({q}, {buckets})"


REQUESTS = "mentoring_http_requests_total"


def panels() -> list[Panel]:
    """Every row of the dashboard, laid out two panels wide."""
    rows = [
        _http_row(),
        _events_row(),
        _outbox_row(),
        _notifications_row(),
        outcomes_row(),
        _processes_row(),
    ]
    return laid_out(rows)


def _http_row() -> Row:
    requests = REQUESTS
    return (
        "HTTP APIs",
        [
            _panel(
                "Requests per second by status",
                (_rate(requests, "service, status"), "{{service}} {{status}}"),
                unit="reqps",
            ),
            _panel(
                "Error ratio (5xx)",
                (
                    f"({_rate(requests, 'service', SERVER_ERRORS)}"
                    f" or {_rate(requests, 'service')} * 0) / {_rate(requests, 'service')}",
                    "{{service}}",
                ),
                unit="percentunit",
                description="0 while a service answers no 5xx (not 'no data').",
            ),
            _panel(
                "Latency p50 / p95 / p99",
                [
                    (_quantile(q, "service"), f"{{{{service}}}} p{int(q * 100)}")
                    for q in (0.5, 0.95, 0.99)
                ],
                unit="s",
            ),
            _panel(
                "Slowest routes (p95)",
                (
                    f"topk(10, {_quantile(0.95, 'service, method, route')})",
                    "{{service}} {{method}} {{route}}",
                ),
                unit="s",
            ),
        ],
    )


def _events_row() -> Row:
    return (
        "Events",
        [
            _panel(
                "Produced per second by topic",
                (
                    _rate("mentoring_events_produced_total", "service, topic"),
                    "{{service}} -> {{topic}}",
                ),
                unit="ops",
            ),
            _panel(
                "Consumed per second by outcome",
                (
                    _rate("mentoring_events_consumed_total", "service, topic, outcome"),
                    "{{topic}} -> {{service}} ({{outcome}})",
                ),
                unit="ops",
            ),
            _panel(
                "Consumption behind production (events, 15 min)",
                (
                    "sum by (topic) (increase(mentoring_events_produced_total[15m]))"
                    " - on (topic) group_right sum by (service, topic)"
                    f" (increase(mentoring_events_consumed_total{_sel()}[15m]))",
                    "{{topic}} -> {{service}}",
                ),
                description="Events produced minus events consumed by each consuming service.",
            ),
            _effect_latency_panel(),
            _panel(
                "Dead-lettered (last hour)",
                (
                    "sum by (service, topic, reason)"
                    f" (increase(mentoring_events_dead_lettered_total{_sel()}[1h]))",
                    "{{topic}} {{reason}} ({{service}})",
                ),
            ),
            _panel(
                "Transient failures retried per second",
                (_rate("mentoring_handler_retries_total", "service"), "{{service}}"),
                unit="ops",
            ),
            _panel(
                "Partitions assigned to workers",
                (
                    f"sum by (service) (mentoring_worker_assigned_partitions{_sel()})",
                    "{{service}}",
                ),
            ),
        ],
    )


def _effect_latency_panel() -> Panel:
    effect = "mentoring_event_effect_seconds"
    return _panel(
        "Publish-to-effect latency by consumer (p50, p99)",
        [
            (_quantile(0.5, "service, topic", effect), "p50 {{topic}} -> {{service}}"),
            (_quantile(0.99, "service, topic", effect), "p99 {{topic}} -> {{service}}"),
        ],
        unit="s",
        description="From an event's time to its effects stored by the consumer.",
    )


def _outbox_row() -> Row:
    return (
        "Outbox",
        [
            _panel(
                "Outbox backlog (aggregates waiting)",
                (
                    f"max by (service, collection) (mentoring_outbox_backlog{_sel()})",
                    "{{service}} {{collection}}",
                ),
            ),
            _panel(
                "Outbox published per second",
                (
                    _rate("mentoring_outbox_published_total", "service, collection"),
                    "{{service}} {{collection}}",
                ),
                unit="ops",
            ),
        ],
    )


def _notifications_row() -> Row:
    deliveries = 'type=~"notifications.delivery.*"'
    return (
        "Notifications and timers",
        [
            _panel(
                "Delivery outcomes per second",
                (_rate("mentoring_outbox_events_total", "service, type", deliveries), "{{type}}"),
                unit="ops",
                description="notifications.delivery.sent / failed / suppressed events published.",
            ),
            _panel(
                "Seconds since each timer last finished a tick",
                (
                    "time() - max by (service, timer)"
                    f" (mentoring_timer_last_success_timestamp_seconds{_sel()})",
                    "{{service}} {{timer}}",
                ),
                unit="s",
                description="The notifier's dispatch timer serves the due-queue.",
            ),
            _panel(
                "Consumer lag (messages behind the high watermark)",
                (
                    f"max by (service, topic) (mentoring_consumer_lag{_sel()})",
                    "{{topic}} -> {{service}}",
                ),
            ),
        ],
    )


def _processes_row() -> Row:
    return (
        "Processes",
        [
            _panel(
                "Resident memory",
                ("max by (pod) (process_resident_memory_bytes)", "{{pod}}"),
                unit="bytes",
            ),
            _panel(
                "CPU",
                (f"sum by (pod) (rate(process_cpu_seconds_total{RATE}))", "{{pod}}"),
            ),
            _panel(
                "Open file descriptors",
                ("max by (pod) (process_open_fds)", "{{pod}}"),
            ),
            _panel(
                "Python GC collections per second",
                (
                    f"sum by (pod, generation) (rate(python_gc_collections_total{RATE}))",
                    "{{pod}} gen {{generation}}",
                ),
                unit="ops",
            ),
        ],
    )


def dashboard() -> dict[str, Any]:
    return {
        "uid": "mentoring-platform",
        "title": "Mentoring platform",
        "description": "APIs, events, outbox and processes of matcher, sessions and notifications. "
        "Generated by `python -m deploy.generate --write`.",
        "tags": ["mentoring", "kafka", "fastapi"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                },
                {
                    "name": "service",
                    "label": "Service",
                    "type": "query",
                    "datasource": DATASOURCE,
                    "query": {
                        "query": "label_values(mentoring_http_requests_total, service)",
                        "refId": "service",
                    },
                    "definition": "label_values(mentoring_http_requests_total, service)",
                    "includeAll": True,
                    "multi": True,
                    "allValue": ".*",
                    "current": {"text": "All", "value": "$__all"},
                    "refresh": 2,
                },
            ]
        },
        "annotations": {"list": []},
        "panels": panels(),
    }
