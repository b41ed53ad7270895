"""The metrics users ask for are recorded where the work happens: delivery outcomes and
lag (the notifier's dispatcher), round duration and size (the matcher), relationships
by health (the sessions sweep); and the API latency buckets fit the SLO."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client import REGISTRY

from services.notifications import ledger as L
from services.notifications.dispatcher import DispatchResult, _count_outcomes, count_delivery
from services.notifications.domain.model import Channel, NotificationType, PlannedNotification
from services.notifications.sending import DeliveryJob
from services.sessions import health as sessions_health
from services.sessions.domain.health import Health, HealthState
from shared.metrics import HTTP_LATENCY, observe_round

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def planned(kind: NotificationType, due_at: datetime) -> PlannedNotification:
    return PlannedNotification(recipient_id="p-1", type=kind, subject_id="s-1", due_at=due_at)


def test_a_sent_delivery_counts_its_outcome_and_observes_its_lag_behind_due_time() -> None:
    kind = NotificationType.MATCH_EXPIRY_REMINDER
    labels = {"channel": "email", "kind": str(kind)}
    sent_before = sample("mentoring_notification_deliveries_total", **labels, outcome="sent")
    lag_before = sample("mentoring_notification_delivery_lag_seconds_sum", **labels)
    late_count = sample("mentoring_notification_delivery_lag_seconds_bucket", **labels, le="60.0")

    count_delivery(Channel.EMAIL, planned(kind, NOW - timedelta(seconds=90)), L.SENT, NOW)

    assert sample("mentoring_notification_deliveries_total", **labels, outcome="sent") == (
        sent_before + 1
    )
    assert sample("mentoring_notification_delivery_lag_seconds_sum", **labels) == lag_before + 90
    assert sample("mentoring_notification_delivery_lag_seconds_bucket", **labels, le="60.0") == (
        late_count
    ), "90 s late is not within a minute"


def test_a_failed_delivery_counts_but_has_no_lag() -> None:
    kind = NotificationType.MATCH_PROPOSED
    labels = {"channel": "slack", "kind": str(kind)}
    failed_before = sample("mentoring_notification_deliveries_total", **labels, outcome="failed")
    lags_before = sample("mentoring_notification_delivery_lag_seconds_count", **labels)
    job = DeliveryJob({"_id": "i"}, planned(kind, NOW), Channel.SLACK, {"_id": "l"})
    job.status = L.FAILED

    result = DispatchResult()
    _count_outcomes([job], result, NOW)

    assert result.failed == 1
    assert sample("mentoring_notification_deliveries_total", **labels, outcome="failed") == (
        failed_before + 1
    )
    assert sample("mentoring_notification_delivery_lag_seconds_count", **labels) == lags_before


def test_a_round_step_observes_its_duration_and_size() -> None:
    labels = {"step": "preview", "kind": "one_to_one"}
    count_before = sample("mentoring_round_duration_seconds_count", **labels)
    duration_before = sample("mentoring_round_duration_seconds_sum", **labels)
    size_before = sample("mentoring_round_proposals_sum", **labels)

    observe_round("preview", "one_to_one", time.perf_counter() - 0.2, 42)

    assert sample("mentoring_round_duration_seconds_count", **labels) == count_before + 1
    assert sample("mentoring_round_duration_seconds_sum", **labels) - duration_before >= 0.2
    assert sample("mentoring_round_proposals_sum", **labels) == size_before + 42


async def test_the_health_sweep_sets_the_count_of_every_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    states = {"r1": HealthState.HEALTHY, "r2": HealthState.STALLED, "r3": HealthState.HEALTHY}

    async def refresh(_uow: Any, *, relationship_id: str) -> Health:
        return Health(states[relationship_id])

    async def active_relationship_ids(after: str, limit: int) -> list[str]:
        return [] if after else sorted(states)

    monkeypatch.setattr(sessions_health, "refresh", refresh)
    uow: Any = SimpleNamespace(
        store=SimpleNamespace(active_relationship_ids=active_relationship_ids)
    )

    counts = await sessions_health.sweep(uow)

    assert counts == {"healthy": 2, "stalled": 1}
    gauge = "mentoring_relationships_by_health"
    assert REGISTRY.get_sample_value(gauge, {"state": "healthy"}) == 2
    assert REGISTRY.get_sample_value(gauge, {"state": "stalled"}) == 1
    assert REGISTRY.get_sample_value(gauge, {"state": "at_risk"}) == 0, "absent states are 0"


def test_the_api_latency_buckets_have_the_slo_objective_as_a_boundary() -> None:
    """The SLO rules count requests under ``le="0.5"``: that bucket must exist, with
    finer ones below it (what a burn alert's quantiles are read from)."""
    bounds = HTTP_LATENCY._upper_bounds  # prometheus_client keeps them here
    assert 0.5 in bounds
    assert len([b for b in bounds if b < 0.5]) >= 5
