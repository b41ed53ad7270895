"""What a worker applied, read from its Prometheus ``/metrics`` (``shared.metrics``).

Replay-safe events leave no processed-events mark (``shared.service.replay_safe``), so
the benches count and time every applied event the way the worker itself does: the
processed counter ``mentoring_events_consumed_total{outcome="processed"}`` and the
publish-to-effect histogram ``mentoring_event_effect_seconds`` (from the event's time
to the end of its batch's apply, effects stored), both by (service, topic). Reading
them loads the worker's metrics thread only, never the database being measured."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.lib.stats import Buckets, bucket_difference

PROCESSED = "mentoring_events_consumed_total"
EFFECT_BUCKET = "mentoring_event_effect_seconds_bucket"
#: (service, topic): the labels both metrics are kept by.
Series = tuple[str, str]


@dataclass(frozen=True)
class Scrape:
    """One reading of a worker's consumer metrics."""

    processed: Mapping[Series, float]
    effect: Mapping[Series, Buckets]

    def applied(self, service: str, topic: str) -> float:
        return self.processed.get((service, topic), 0.0)

    def has_applied(self, service: str, expected: Mapping[str, float]) -> bool:
        """Whether ``service`` applied at least ``expected`` events on each topic."""
        return all(self.applied(service, t) >= n for t, n in expected.items())

    def bounds(self) -> list[float]:
        """The effect histogram's bucket bounds (every series has the same ones)."""
        for buckets in self.effect.values():
            return [bound for bound, _ in buckets]
        raise LookupError("no effect histogram yet: the worker applied nothing")

    def effect_since(self, earlier: Scrape, service: str, topic: str) -> list[tuple[float, float]]:
        """The publish-to-effect histogram (seconds) of what was applied since ``earlier``."""
        return bucket_difference(
            self.effect.get((service, topic), ()), earlier.effect.get((service, topic), ())
        )


def parsed(text: str) -> Scrape:
    """The processed counters and effect histograms in a ``/metrics`` text."""
    processed: dict[Series, float] = {}
    effect: dict[Series, list[tuple[float, float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            series = (labels.get("service", ""), labels.get("topic", ""))
            if sample.name == PROCESSED and labels.get("outcome") == "processed":
                processed[series] = sample.value
            elif sample.name == EFFECT_BUCKET:
                effect.setdefault(series, []).append((float(labels["le"]), sample.value))
    return Scrape(processed, {series: sorted(b) for series, b in effect.items()})


class WorkerMetrics:
    """A worker's metrics endpoint (``worker_metrics_port``)."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/metrics"
        self.client = httpx.AsyncClient(timeout=5.0)

    async def scrape(self) -> Scrape:
        """Only the two series (``name[]``): a whole exposition, twenty times a second,
        took 9% of a saturated matcher worker's time (its metrics thread holds the GIL)."""
        only = [("name[]", PROCESSED), ("name[]", EFFECT_BUCKET)]
        return parsed((await self.client.get(self.url, params=only)).text)

    async def applied_reaches(
        self, service: str, expected: Mapping[str, float], deadline: float, poll_s: float = 0.25
    ) -> Scrape:
        """Polls until ``service`` applied ``expected`` events on each topic or
        ``time.time()`` passed ``deadline``; returns the last reading."""
        while True:
            now = await self.scrape()
            if now.has_applied(service, expected) or time.time() > deadline:
                return now
            await asyncio.sleep(poll_s)

    async def close(self) -> None:
        await self.client.aclose()


def merged(histograms: Iterable[Buckets]) -> list[tuple[float, float]]:
    """Histograms of the same bounds added up (e.g. every consumer's, for one figure)."""
    total: dict[float, float] = {}
    for buckets in histograms:
        for bound, count in buckets:
            total[bound] = total.get(bound, 0.0) + count
    return sorted(total.items())
