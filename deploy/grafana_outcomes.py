"""The dashboard's row of what users ask about: delivery outcomes and lag, matching
rounds, relationship health (metrics recorded by one service each, no ``service`` label)."""

from __future__ import annotations

from deploy.grafana_layout import RATE, Row, panel


def _histogram_quantile(q: float, metric: str, by: str) -> str:
    """For the metrics without a ``service`` label (each is recorded by one service)."""
    return f"histogram_quantile({q}, sum by ({by}, le) (rate({metric}_bucket{RATE})))"


def outcomes_row() -> Row:
    return (
        "Deliveries, rounds and relationships",
        [
            panel(
                "Deliveries per second by channel, kind and outcome",
                (
                    "sum by (channel, kind, outcome)"
                    f" (rate(mentoring_notification_deliveries_total{RATE}))",
                    "{{channel}} {{kind}} {{outcome}}",
                ),
                unit="ops",
                description="Recorded by the notifier's dispatcher as each delivery settles.",
            ),
            panel(
                "Delivery lag behind due time (p95)",
                (
                    _histogram_quantile(
                        0.95, "mentoring_notification_delivery_lag_seconds", "kind"
                    ),
                    "{{kind}}",
                ),
                unit="s",
                description="From due time to delivery; reminders should arrive within minutes.",
            ),
            panel(
                "Matching round duration (p95)",
                (_histogram_quantile(0.95, "mentoring_round_duration_seconds", "step"), "{{step}}"),
                unit="s",
            ),
            panel(
                "Matching round size (proposals, p50)",
                (_histogram_quantile(0.5, "mentoring_round_proposals", "step"), "{{step}}"),
            ),
            panel(
                "Active relationships by health",
                ("max by (state) (mentoring_relationships_by_health)", "{{state}}"),
                description="As the sessions health sweep last assessed them.",
            ),
        ],
    )
