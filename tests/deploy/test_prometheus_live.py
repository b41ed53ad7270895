"""A real Prometheus scrapes the running platform through a small program cycle: every
query of the Grafana dashboard returns data, and every rule group loads and evaluates.

The platform runs as ``make run`` starts it (its own Prometheus turned off); this test
starts Prometheus with ``tools.prometheus`` (the configuration ``make run`` uses, a
one-second scrape interval), puts one malformed message on a topic (so the dead-letter
panels have something to show), and runs the cycle's import, match, activate, schedule
and remind phases. The dashboard queries and the number of series each returned are
written to ``.local/artifacts/dashboard-queries.txt`` and printed.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaProducer
from pymongo import AsyncMongoClient

from shared.settings import DEV_ISSUER_DIR
from tests.deploy.test_observability import dashboard_queries
from tests.support.platform import RunningPlatform, running_platform
from tests.support.waiting import eventually
from tools import prometheus
from tools.cycle import CycleResult, Endpoints, ProgramCycle
from tools.localstack import free_port
from tools.platform import ROOT

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        prometheus.installed() is None,
        reason="prometheus is not installed: Debian's `prometheus` package "
        "(`apt-get install prometheus`; make's install step does that where apt-get and root are)",
    ),
]

ARTIFACT = ROOT / ".local" / "artifacts" / "dashboard-queries.txt"
#: What Grafana puts in for ``$__rate_interval`` at a one-second scrape interval, rounded up.
RATE_INTERVAL = "30s"
POISON_TOPIC = "mentoring.matches.v1"


def instant_query(expr: str) -> str:
    """A dashboard expression as Grafana sends it with every service selected."""
    expr = expr.replace("$__rate_interval", RATE_INTERVAL).replace("$service", ".*")
    return re.sub(r"label_values\(([^,]+),\s*(\w+)\)", r"count by (\2) (\1)", expr)


class CycleUpToReminders(ProgramCycle):
    """The program cycle without its feedback phase, which waits for the meetings to
    start (a minute): import, match, activate, schedule, remind."""

    async def _feedback(self, result: CycleResult) -> None:
        return None


@dataclass
class Observed:
    series: dict[str, int]  # dashboard query -> series returned
    where: dict[str, str]  # dashboard query -> panel
    rule_groups: list[dict[str, Any]]
    delivery_outcomes: int


def put_one_malformed_message(bootstrap: str) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    try:
        producer.send(POISON_TOPIC, key=b"prometheus-live", value=b"not an event").get(timeout=10)
    finally:
        producer.close()


async def run_cycle(up: RunningPlatform) -> None:
    notifications = AsyncMongoClient(f"mongodb://127.0.0.1:{up.ports['MONGO_PORT']}")
    try:
        cycle = CycleUpToReminders(
            Endpoints(matcher=up.api("matcher"), sessions=up.api("sessions")),
            issuer_dir=DEV_ISSUER_DIR,
            reminders_delivered=lambda: notifications["notifications"].inbox.count_documents(
                {"type": "meeting_reminder"}
            ),
            people=8,
            tag=f"prom{uuid.uuid4().hex[:6]}",  # the database outlives the run
            meeting_lead=timedelta(seconds=62),  # reminders fall due two seconds later
            effect_timeout_s=60,
        )
        await cycle.run()
    finally:
        await notifications.close()


async def observe(prom: prometheus.LocalPrometheus) -> Observed:
    where = {instant_query(expr): panel for panel, expr in dashboard_queries()}
    async with httpx.AsyncClient(base_url=prom.url, timeout=10) as client:

        async def count(query: str) -> int:
            answer = (await client.get("/api/v1/query", params={"query": query})).json()
            assert answer["status"] == "success", (query, answer)
            return len(answer["data"]["result"])

        async def every_query_answered() -> dict[str, int] | None:
            series = {query: await count(query) for query in where}
            return series if all(series.values()) else None

        async def rules_evaluated() -> list[dict[str, Any]] | None:
            groups = (await client.get("/api/v1/rules")).json()["data"]["groups"]
            rules = [rule for group in groups for rule in group["rules"]]
            return groups if rules and all(r["health"] == "ok" for r in rules) else None

        try:
            series = await eventually(every_query_answered, 30, "every dashboard query")
        except AssertionError:
            series = {query: await count(query) for query in where}
        groups = await eventually(rules_evaluated, 30, "every rule evaluated") or []
        delivered = await count('mentoring_outbox_events_total{type=~"notifications.delivery.*"}')
    return Observed(series, where, groups, delivered)


def write_artifact(observed: Observed) -> str:
    lines = [f"{n:>3} series  {observed.where[q]}: {q}" for q, n in observed.series.items()]
    text = "Dashboard queries against a live Prometheus (series returned):\n" + "\n".join(lines)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(text + "\n")
    return text


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Observed]:
    workdir: Path = tmp_path_factory.mktemp("prometheus-live")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PLATFORM_PROMETHEUS", "off")  # this test starts its own
        env.setenv("NOTIFICATIONS_REMINDER_OFFSETS_MINUTES", "[1]")  # due during the cycle
        env.setenv("SESSIONS_SWEEP_INTERVAL_S", "2")  # relationship health gauges fill
        with running_platform(workdir, trust_test_issuer=False) as up:
            prom = prometheus.start(up.ports, workdir, free_port(), scrape_interval_s=1)
            try:
                put_one_malformed_message(up.bootstrap_servers)
                asyncio.run(run_cycle(up))
                result = asyncio.run(observe(prom))
            finally:
                prom.stop()
    print("\n" + write_artifact(result))
    yield result


def test_every_dashboard_query_returns_data(observed: Observed) -> None:
    empty = [f"{observed.where[q]}: {q}" for q, n in observed.series.items() if n == 0]
    assert observed.series and not empty, "no data:\n" + "\n".join(empty)


def test_every_rule_group_is_loaded_and_every_rule_evaluates(observed: Observed) -> None:
    loaded = {group["name"] for group in observed.rule_groups}
    files = {group["file"] for group in observed.rule_groups}
    assert files == {str(path) for path in prometheus.RULE_FILES}
    assert loaded >= {"mentoring-events", "mentoring-outbox", "mentoring-http-slo"}
    for group in observed.rule_groups:
        for rule in group["rules"]:
            assert rule["health"] == "ok", (group["name"], rule["name"], rule.get("lastError"))


def test_delivery_outcomes_are_counted_by_event_type(observed: Observed) -> None:
    assert observed.delivery_outcomes >= 1
