"""Server time of every console page a person opens, at ``--people`` (default 2,000).

The matcher, sessions and notifications (API and worker each) and the console run on a
local broker and database of their own. Through the APIs, ``--people`` synthetic people
(half junior mentors, half senior mentees) are imported, bulk-enrolled into a
reverse-mentoring program, a round is previewed and published, and every match is
accepted, so the program's pages hold every enrollment, match and relationship. Then
each page is fetched ``--samples`` times, one after another, as the person who reads
it (the admin, an analyst, a matched mentee), on the same machine: the time of a page
is the console's time to answer, its calls to the APIs included.

Prints, with the baselines measured in the same run:
  BENCH console page=<name> people=<n> p50_ms=<x> p95_ms=<y> ratio=<p50 / api_p50>
  BENCH console_baseline people=<n> healthz_p50_ms=<the console answering, no API call>
      api_p50_ms=<one direct GET /programs/{id} from the matcher>

Usage: python bench/console.py [--people 2000] [--samples 15]
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
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from tqdm import tqdm

from bench.lib.scale_platform import Platform, local_platform
from bench.lib.sigterm import sigterm_unwinds
from bench.lib.stats import percentile
from bench.service_scale import (
    ADMIN,
    Api,
    bulk_enroll,
    import_people,
    preview,
    publish_until_relationships,
)
from tests.support.processes import stop_process, wait_ready
from tools.localstack import free_port
from tools.organisation import organisation
from tools.platform_client import PlatformClient

ANALYST = "console-analyst"


@contextmanager
def console_process(platform: Platform, workdir: Path) -> Iterator[str]:
    """``python -m services.console`` on the platform's APIs, trusting its issuer."""
    port = free_port()
    env = {
        **os.environ,
        "CONSOLE_HTTP_PORT": str(port),
        "CONSOLE_LOG_LEVEL": "WARNING",
        "CONSOLE_DEV_ISSUER_DIR": str(platform.issuer),
        **{f"CONSOLE_{name.upper()}_URL": url for name, url in platform.apis.items()},
    }
    log_path = workdir / "console.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.console"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, proc, log_path)
        yield url
    finally:
        stop_process(proc)


async def populated_program(api: Api, count: int) -> tuple[str, str, str]:
    """A program with ``count`` people enrolled and every match accepted; returns the
    program, its published round and one matched mentee."""
    people = organisation(count, "console")
    await import_people(api, people)
    program_id = await api.program("Console bench", "curated", "when_accepted")
    await bulk_enroll(api, program_id, count)
    _seconds, draft = await preview(api, program_id)
    await publish_until_relationships(api, program_id, draft, answers=True)
    matches = await api.client.all_pages(
        f"{api.platform.matcher}/matches", ADMIN, "program_admin", {"program_id": program_id}
    )
    mentee = next(m["person_id"] for m in matches[0]["members"] if m["role"] == "mentee")
    return program_id, str(draft["id"]), mentee


def pages(program_id: str, round_id: str, mentee: str) -> dict[str, tuple[str, str, str]]:
    """Page name -> (path, who reads it, their role)."""
    admin, employee, analyst = (
        (ADMIN, "program_admin"),
        (mentee, "employee"),
        (ANALYST, "hr_analyst"),
    )
    program = f"/admin/programs/{program_id}"
    return {
        "programs": ("/admin/programs", *admin),
        "program": (program, *admin),
        "round": (f"/admin/rounds/{round_id}", *admin),
        "audit": (f"{program}/audit", *admin),
        "bulk": (f"{program}/bulk", *admin),
        "people": ("/admin/people", *admin),
        "reports": (f"/hr?program_id={program_id}", *analyst),
        "my_matches": ("/me/matches", *employee),
        "my_mentoring": ("/me/mentoring", *employee),
        "my_inbox": ("/me/inbox", *employee),
        "my_safety": ("/me/safety", *employee),
    }


async def timed(client: httpx.AsyncClient, path: str, samples: int) -> tuple[list[float], str]:
    """Milliseconds of each of ``samples`` fetches after one warm-up (caches filled), and
    the last answer's ``Server-Timing`` (where the page's time went)."""
    out, timing = [], ""
    for i in range(samples + 1):
        started = time.perf_counter()
        answer = await client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:300]}"
        if i:
            out.append(elapsed)
        timing = answer.headers.get("Server-Timing", "")
    return out, timing


async def signed_in(console: str, person: str, role: str) -> httpx.AsyncClient:
    """A browser's session: the development sign-in form, then its cookie."""
    client = httpx.AsyncClient(base_url=console, timeout=120)
    answer = await client.post("/signin", data={"person_id": person, "role": role})
    assert answer.status_code in (200, 303), answer.text[:300]
    return client


async def measure(
    console: str, api: Api, program_id: str, round_id: str, mentee: str, n: int, samples: int
) -> None:
    health, _ = await timed(httpx.AsyncClient(base_url=console), "/healthz", samples)
    direct = []
    for _ in range(samples):
        started = time.perf_counter()
        await api.admin("GET", f"{api.platform.matcher}/programs/{program_id}")
        direct.append((time.perf_counter() - started) * 1000)
    api_p50 = percentile(direct, 50)
    print(
        f"BENCH console_baseline people={n} healthz_p50_ms={percentile(health, 50):.1f} "
        f"api_p50_ms={api_p50:.1f}",
        flush=True,
    )
    sessions: dict[str, httpx.AsyncClient] = {}
    for name, (path, person, role) in tqdm(
        pages(program_id, round_id, mentee).items(), desc="pages"
    ):
        if person not in sessions:
            sessions[person] = await signed_in(console, person, role)
        found, timing = await timed(sessions[person], path, samples)
        p50 = percentile(found, 50)
        print(
            f"BENCH console page={name} people={n} p50_ms={p50:.1f} "
            f"p95_ms={percentile(found, 95):.1f} ratio={p50 / api_p50:.1f}",
            flush=True,
        )
        print(f"  {name} Server-Timing: {timing}", flush=True)
    for client in sessions.values():
        await client.aclose()


async def run(platform: Platform, console: str, count: int, samples: int) -> None:
    async with PlatformClient(platform.issuer, concurrency=16, timeout_s=600) as client:
        api = Api(client, platform)
        program_id, round_id, mentee = await populated_program(api, count)
        await measure(console, api, program_id, round_id, mentee, count, samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--logs", type=Path, help="keep the processes' logs here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        workdir = args.logs or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        services = ("matcher", "sessions", "notifications")
        with local_platform(workdir, services) as platform:
            with console_process(platform, workdir) as console:
                asyncio.run(run(platform, console, args.people, args.samples))


if __name__ == "__main__":
    with sigterm_unwinds():
        main()
