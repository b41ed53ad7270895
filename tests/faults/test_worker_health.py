"""A worker's liveness tells the truth: its event loop blocked (the metrics thread still
answering) fails ``/healthz``, and it recovers once the loop runs again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.support.processes import running
from tools.localstack import LocalStack, free_port

pytestmark = pytest.mark.faults

STALL_S = 12


async def status_becomes(
    client: httpx.AsyncClient, url: str, status: int, timeout_s: float
) -> dict[str, str] | None:
    """The checks of the first answer with ``status``, or None if none came in time."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        try:
            answer = await client.get(url)
            if answer.status_code == status:
                return dict(answer.json()["checks"])
        except httpx.HTTPError:
            pass  # not listening yet
        await asyncio.sleep(0.25)
    return None


async def test_a_stalled_event_loop_fails_liveness_then_recovers(
    stack: LocalStack, log_dir: Path
) -> None:
    port = free_port()
    with running(
        stack,
        "matcher",
        "worker",
        database="faults_health",
        log_dir=log_dir,
        kafka_consumer_group="faults-health",
        worker_metrics_port=str(port),
        debug_loop_stall_s=str(STALL_S),
    ) as worker:
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(timeout=2) as client:
            ready = await status_becomes(client, f"{base}/readyz", 200, 60)
            assert ready is not None, f"never ready; see {worker['log']}"
            assert (await client.get(f"{base}/healthz")).status_code == 200

            assert (await client.post(f"{base}/debug/stall-loop")).status_code == 200
            checks = await status_becomes(client, f"{base}/healthz", 503, STALL_S - 2)
            assert checks is not None and checks["event_loop"].startswith("stale"), checks
            assert (await client.get(f"{base}/readyz")).status_code == 503
            assert (await client.get(f"{base}/metrics")).status_code == 200  # its thread answers

            assert await status_becomes(client, f"{base}/healthz", 200, STALL_S + 10) is not None
            assert await status_becomes(client, f"{base}/readyz", 200, 20) is not None
