"""The matcher's calls ``bench/service_scale.py`` times one by one: each asker's
suggestions, and the split of a preview's time from its round's stats."""

from __future__ import annotations

import time
from dataclasses import dataclass

from tqdm import tqdm

from bench.lib.database_probe import Probes, ProbeTarget, Span, probing
from bench.lib.stats import percentile
from tools.platform_client import PlatformClient

#: The preview's parts that do not overlap (the round's other ``_seconds`` are parts of these).
SPLIT_TOTALS = ("pool", "solve_total", "proposal_docs", "write")


#: Issue #19's target for a suggestion's p95: a call over it counts as slow.
SLOW_MS = 150.0


@dataclass(frozen=True)
class TimedCalls:
    """Calls made one at a time (each sent and answered, perf_counter seconds) and the
    database's probes meanwhile (``database_probe.py``): which slow calls met a busy
    database."""

    spans: list[Span]
    probes: Probes

    @property
    def latencies(self) -> list[float]:
        return [(end - start) * 1000 for start, end in self.spans]

    def after_first(self) -> TimedCalls:
        return TimedCalls(self.spans[1:], self.probes)

    def fields(self, prefix: str = "") -> str:
        """``<prefix>p50_ms``, ``p95_ms``, ``probe_p95_ms`` (the database's wait for a
        trivial read meanwhile), ``slow`` (calls over ``SLOW_MS``) and ``slow_db_busy``
        (those of them during which the database kept a probe waiting ``BUSY_MS``)."""
        slow = [call for call, ms in zip(self.spans, self.latencies, strict=True) if ms > SLOW_MS]
        return (
            f"{prefix}p50_ms={percentile(self.latencies, 50):.1f} "
            f"{prefix}p95_ms={percentile(self.latencies, 95):.1f} "
            f"{prefix}probe_p95_ms={percentile(self.probes.milliseconds(), 95):.1f} "
            f"{prefix}slow={len(slow)} {prefix}slow_db_busy={self.probes.busy_during(slow)}"
        )


async def suggestion_latencies(
    client: PlatformClient, url: str, askers: list[str], database: ProbeTarget | None = None
) -> TimedCalls:
    """Each mentee's ``GET`` of ``url`` (their suggestions), one call at a time, with the
    matcher's ``database`` probed meanwhile when it is known."""
    spans: list[Span] = []
    for person_id in askers:  # signing a token is the client's work: not timed
        client.token(person_id, "employee")
    async with probing(database) as probes:
        for person_id in tqdm(askers, desc="suggestions", unit="call"):
            started = time.perf_counter()
            found = await client.call("GET", url, person_id, "employee", params={"limit": 10})
            spans.append((started, time.perf_counter()))
            assert found, f"no suggestion for {person_id}"
    return TimedCalls(spans, probes)


def preview_split(count: int, preview_s: float, stats: dict[str, float], peak: str) -> str:
    """``BENCH preview_split``: where a preview's time went, from the round's stats
    (``other`` is the rest: the request, the checks, the round document's write)."""
    split = {k.removesuffix("_seconds"): v for k, v in stats.items() if k.endswith("_seconds")}
    accounted = sum(split.get(k, 0.0) for k in SPLIT_TOTALS)
    figures = " ".join(f"{k}={v:.2f}" for k, v in sorted(split.items()))
    return (
        f"BENCH preview_split people={count} preview_s={preview_s:.1f} {figures} "
        f"other={preview_s - accounted:.2f} peak_mib={peak}"
    )
