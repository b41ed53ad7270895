"""Summaries the benches print, computed one way for all of them."""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Iterable, Sequence

#: A histogram as Prometheus exposes it: (upper bound ``le``, events at or below it),
#: bounds ascending, the last one ``inf``.
Buckets = Sequence[tuple[float, float]]


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0.1..99.9, in steps of 0.1), inclusive method; NaN for no
    values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(q * 10) - 1]


def bucket_percentile(buckets: Buckets, q: float) -> float:
    """The ``q``-th percentile (0..100) of a histogram, interpolated linearly inside the
    bucket it falls in, the first bucket starting at 0 (Prometheus' ``histogram_quantile``):
    exact only to a bucket's width. In the ``inf`` bucket it is the highest finite bound
    (all that is known is "above it"); NaN for an empty histogram."""
    total = buckets[-1][1] if buckets else 0.0
    if total <= 0:
        return float("nan")
    rank = q / 100 * total
    lower, below = 0.0, 0.0
    for upper, cumulative in buckets:
        if cumulative >= rank and cumulative > below:
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * (rank - below) / (cumulative - below)
        lower, below = upper, cumulative
    return lower


def bucketed(values: Iterable[float], bounds: Sequence[float]) -> list[tuple[float, float]]:
    """Exact ``values`` counted into the cumulative buckets of ``bounds`` (ascending, the
    last ``inf``), as a histogram with those bounds would have counted them."""
    counts = [0] * len(bounds)
    for value in values:
        counts[bisect.bisect_left(bounds, value)] += 1  # le: a value on a bound is in it
    cumulative, out = 0, []
    for bound, count in zip(bounds, counts, strict=True):
        cumulative += count
        out.append((bound, float(cumulative)))
    return out


def bucket_difference(after: Buckets, before: Buckets) -> list[tuple[float, float]]:
    """What a histogram counted between two scrapes (the same bounds; ``before`` may be
    empty: nothing counted yet)."""
    earlier = dict(before)
    return [(bound, count - earlier.get(bound, 0.0)) for bound, count in after]
