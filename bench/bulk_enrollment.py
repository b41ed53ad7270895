"""Bulk enrollment through the running matcher API, next to single enrollments in the
same run.

A matcher API and worker (separate processes, real token checks) on a local broker and
database of their own. ``--people`` synthetic people (``tools.organisation``: half
junior mentors, half senior mentees) are imported through ``POST /people/import`` and
the run waits until the worker's projection holds them all
(``bench/lib/people_import.py``); then everyone is enrolled into a reverse-mentoring
program by two filter bulks (mentors by level, mentees by level), each a background
job polled until it finishes; then 500 single enrollments (``POST
/programs/{id}/enrollments``, 16 at a time, as ``tools.cycle`` enrolls) into a second
program give the per-request baseline.

Prints:
  BENCH bulk_enrollment people=<n> import_s=<s> enroll_s=<s>
      per_request_baseline_s=<s for 500 single enrollments, scaled to n> ratio=<baseline / enroll>

Usage: python bench/bulk_enrollment.py [--people 20000]
"""

# ruff: noqa: E402  (the import path is fixed before the imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import asyncio
import os
import tempfile
import time
from contextlib import ExitStack
from typing import Any

from bench.lib.people_import import PeopleImport
from bench.lib.scale_platform import ready_worker
from bench.lib.sigterm import sigterm_unwinds
from shared.kafka.admin import provision_topics
from tests.support.processes import running
from tools.dev_issuer import ensure_keys
from tools.localstack import LocalStack
from tools.organisation import organisation
from tools.platform_client import PlatformClient

ADMIN = "bench-admin"
BASELINE_ENROLLMENTS = 500


class Matcher:
    """The matcher API as the program admin calls it."""

    def __init__(self, client: PlatformClient, base: str) -> None:
        self.client, self.base = client, base

    async def call(self, method: str, path: str, expect: tuple[int, ...], **kw: Any) -> Any:
        response = await self.client.send(method, self.base + path, ADMIN, "program_admin", **kw)
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    async def program(self, name: str) -> str:
        body = {"name": name, "kind": "reverse_mentoring", "admin_ids": [ADMIN]}
        return str((await self.call("POST", "/programs", (201,), json=body))["id"])


async def bulk_enroll(matcher: Matcher, program: str) -> tuple[float, int]:
    """Seconds to enroll everyone by two filter bulks, and how many were accepted."""
    bulk = f"/programs/{program}/enrollments/bulk"
    started = time.perf_counter()
    jobs = [
        await matcher.call("POST", bulk, (200, 202), json={"filter": selection})
        for selection in (
            {"role": "mentor", "max_level": 4, "capacity": 1},
            {"role": "mentee", "min_level": 5},
        )
    ]
    accepted = 0
    for job in jobs:
        while job["status"] == "running":
            await asyncio.sleep(0.1)
            job = await matcher.call("GET", f"{bulk}/{job['id']}", (200,), params={"limit": 1})
        assert job["status"] == "finished", job
        accepted += job["accepted"]
    return time.perf_counter() - started, accepted


async def single_enrollments(matcher: Matcher, program: str, people: list[dict[str, Any]]) -> float:
    """Seconds for one request per person (the baseline), 16 at a time."""
    path = f"/programs/{program}/enrollments"

    async def enroll(row: dict[str, Any]) -> None:
        role = "mentor" if row["level"] < 5 else "mentee"
        await matcher.call("POST", path, (201,), json={"person_id": row["person_id"], "role": role})

    started = time.perf_counter()
    await asyncio.gather(*map(enroll, people))
    return time.perf_counter() - started


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp, ExitStack() as processes:
        workdir = Path(tmp)
        stack = LocalStack(workdir / "stack").start()
        processes.callback(stack.stop)
        provision_topics(stack.bootstrap_servers)
        issuer = workdir / "issuer"
        ensure_keys(issuer)
        os.environ["MATCHER_AUTH_JWKS_URL"] = f"file://{issuer / 'jwks.json'}"
        quiet = {"log_level": "WARNING"}
        api = processes.enter_context(
            running(stack, "matcher", "api", database="bench_bulk", log_dir=workdir, **quiet)
        )
        processes.enter_context(
            ready_worker(
                stack,
                "matcher",
                database="bench_bulk",
                log_dir=workdir,
                kafka_consumer_group="matcher-bench-bulk",
                **quiet,
            )
        )
        people = organisation(count, "bulk")
        async with PlatformClient(issuer, concurrency=16, timeout_s=300) as client:
            base = f"http://127.0.0.1:{api['port']}"
            matcher = Matcher(client, base)
            import_s = (await PeopleImport(client, base, ADMIN).run(people)).import_s
            enroll_s, accepted = await bulk_enroll(matcher, await matcher.program("Bulk"))
            assert accepted == count, f"{accepted} of {count} enrolled"
            baseline = people[:BASELINE_ENROLLMENTS]
            single_s = await single_enrollments(
                matcher, await matcher.program("One by one"), baseline
            )
    scaled = single_s * count / len(baseline)
    print(
        f"BENCH bulk_enrollment people={count} import_s={import_s:.1f} enroll_s={enroll_s:.1f} "
        f"per_request_baseline_s={scaled:.1f} ratio={scaled / enroll_s:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    with sigterm_unwinds():
        asyncio.run(main(parser.parse_args().people))
