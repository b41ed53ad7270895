"""Summaries the benches print, computed one way for all of them."""

from __future__ import annotations

import statistics


def percentile(values: list[float], q: int) -> float:
    """The ``q``-th percentile (1..99), inclusive method; NaN for no values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
