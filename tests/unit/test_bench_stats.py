"""The latency benches read percentiles off a histogram's buckets, the worker's and the
floor's alike (``bench/lib/stats.py``), and the counts and buckets off a worker's
``/metrics`` (``bench/lib/worker_metrics.py``)."""

from __future__ import annotations

import math

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from bench.lib.stats import bucket_difference, bucket_percentile, bucketed
from bench.lib.worker_metrics import merged, parsed

INF = math.inf
#: 10 events up to 0.1 s, 20 more up to 0.2 s, 10 more up to 0.5 s, none above.
HISTOGRAM = [(0.1, 10.0), (0.2, 30.0), (0.5, 40.0), (INF, 40.0)]


@pytest.mark.parametrize(
    ("q", "expected"),
    [(25, 0.1), (50, 0.15), (75, 0.2), (80, 0.26), (99, 0.488)],
)
def test_a_percentile_is_interpolated_linearly_inside_its_bucket(q: int, expected: float) -> None:
    assert bucket_percentile(HISTOGRAM, q) == pytest.approx(expected)


def test_the_first_bucket_starts_at_zero() -> None:
    assert bucket_percentile([(0.2, 4.0), (INF, 4.0)], 50) == pytest.approx(0.1)


def test_above_the_highest_bound_all_that_is_known_is_that_bound() -> None:
    assert bucket_percentile([(0.1, 1.0), (0.2, 1.0), (INF, 2.0)], 99) == 0.2


def test_an_empty_histogram_has_no_percentile() -> None:
    assert math.isnan(bucket_percentile([(0.1, 0.0), (INF, 0.0)], 50))


def test_exact_values_are_counted_as_the_histogram_counts_them() -> None:
    assert bucketed([0.05, 0.1, 0.15, 3.0], [0.1, 0.2, INF]) == [
        (0.1, 2.0),
        (0.2, 3.0),
        (INF, 4.0),
    ]


def test_evenly_spread_values_keep_their_median_through_the_buckets() -> None:
    values = [(i + 0.5) / 1000 for i in range(1000)]

    histogram = bucketed(values, [0.25, 0.5, 0.75, 1.0, INF])

    assert bucket_percentile(histogram, 50) == pytest.approx(0.5)
    assert bucket_percentile(histogram, 90) == pytest.approx(0.9)


def test_a_phase_is_what_the_histogram_counted_between_two_scrapes() -> None:
    before = [(0.1, 3.0), (INF, 5.0)]

    assert bucket_difference([(0.1, 4.0), (INF, 9.0)], before) == [(0.1, 1.0), (INF, 4.0)]
    assert bucket_difference([(0.1, 4.0), (INF, 9.0)], []) == [(0.1, 4.0), (INF, 9.0)]


def test_a_scrape_holds_the_processed_count_and_effect_buckets_by_service_and_topic() -> None:
    registry = CollectorRegistry()
    consumed = Counter(
        "mentoring_events_consumed_total", "", ["service", "topic", "outcome"], registry=registry
    )
    effect = Histogram(
        "mentoring_event_effect_seconds",
        "",
        ["service", "topic"],
        buckets=(0.1, 0.5),
        registry=registry,
    )
    consumed.labels("matcher", "hr.people.v1", "processed").inc(3)
    consumed.labels("matcher", "hr.people.v1", "skipped").inc(7)
    for seconds in (0.05, 0.3, 2.0):
        effect.labels("matcher", "hr.people.v1").observe(seconds)

    scrape = parsed(generate_latest(registry).decode())

    assert scrape.applied("matcher", "hr.people.v1") == 3
    assert scrape.applied("sessions", "hr.people.v1") == 0
    assert scrape.effect[("matcher", "hr.people.v1")] == [(0.1, 1.0), (0.5, 2.0), (INF, 3.0)]


def test_histograms_of_the_same_bounds_add_up() -> None:
    assert merged([[(0.1, 1.0), (INF, 2.0)], [(0.1, 3.0), (INF, 3.0)]]) == [
        (0.1, 4.0),
        (INF, 5.0),
    ]
