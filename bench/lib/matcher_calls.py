"""The matcher's calls ``bench/service_scale.py`` times one by one: each asker's
suggestions, and the split of a preview's time from its round's stats."""

from __future__ import annotations

import time

from tqdm import tqdm

from tools.platform_client import PlatformClient

#: The preview's parts that do not overlap (the round's other ``_seconds`` are parts of these).
SPLIT_TOTALS = ("pool", "solve_total", "proposal_docs", "write")


async def suggestion_latencies(client: PlatformClient, url: str, askers: list[str]) -> list[float]:
    """Milliseconds of each mentee's ``GET`` of ``url`` (their suggestions), one call at a time."""
    latencies = []
    for person_id in askers:  # signing a token is the client's work: not timed
        client.token(person_id, "employee")
    for person_id in tqdm(askers, desc="suggestions", unit="call"):
        started = time.perf_counter()
        found = await client.call("GET", url, person_id, "employee", params={"limit": 10})
        latencies.append((time.perf_counter() - started) * 1000)
        assert found, f"no suggestion for {person_id}"
    return latencies


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
