"""The service path at scale, through the running platform's REST APIs.

``--people`` synthetic people (``tools.organisation``: half junior mentors, half senior
mentees) are imported (``POST /people/import``, until the matcher's projection holds
them all: ``bench/lib/people_import.py``), bulk-enrolled into a reverse-mentoring
program by two filter bulks (each a background job, polled), a round is previewed and
published, and the run waits until sessions holds every relationship: the program's
matches start on publish (``matches_start: on_publish``, issue #19's "publish to all
relationships"); with ``--answers`` they are proposed instead and both members of every
match accept (one request each, as people answer, as soon as the proposal reaches
them). Before the round,
``--suggestions`` mentees ask for their suggestions, one after another (the program is
in self-match mode: rounds run in any mode, and one program spares a second 100k
enrollment).

By default a matcher and sessions (API and worker each) run on a local broker and
database of their own, as the tests start them; ``--matcher-url`` and ``--sessions-url``
run against ``make run`` (development issuer; ``--matcher-pid`` for the peak memory,
``--mongo-url`` for the floors, ``--bootstrap`` for the round: members learn of
their proposals, and the run of the relationships, from the topics). ``--import-only``
stops after the import, ``--no-publish`` after the preview.

Prints, with each baseline measured in the same run (``BENCH import`` and ``BENCH enroll``
with floors measured first: ``bench/lib/people_import.py``, ``bench/lib/enroll_floor.py``):
  BENCH service_scale people=<n> import_s=<s> enroll_s=<s> preview_s=<s> publish_s=<s>
      peak_mib=<matcher API peak RSS, /proc VmHWM> matches=<n> answers=<--answers>
  (and, as they are known, ``phase publish_request|activations_relayed|relationships``:
  where the publish time goes, ``bench/lib/publish_phase.py``)
  BENCH preview_split people=<n> preview_s=<s> <each part of the preview, s, from the
      round's stats> other=<the rest: request, checks, the round's write>
  BENCH service_scale_baseline people=<n> in_process_solve_s=<encode + solve the same
      population in this process> preview_ratio=<preview_s / in_process_solve_s>
  BENCH suggestions people=<n> p50_ms=<x> p95_ms=<y> first_ms=<the call that encodes>
      again_p50_ms=<x> again_p95_ms=<y> (the same people asking again, right after)
      old_path_ms=<the old path in process: encode, explain every candidate> ratio=<old / p50>
      settle_s=<until the database is quiet> settled_p50_ms=<x> settled_p95_ms=<y> (a third
      time, then); each pass's probe_p95_ms slow slow_db_busy: ``bench/lib/matcher_calls.py``

Usage: python bench/service_scale.py [--people 100000] [--suggestions 200] [--answers]
"""

# ruff: noqa: E402  (the import path is fixed before the imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import asyncio
import tempfile
import time
from typing import Any

from tqdm import tqdm

from bench.lib.database_probe import ProbeTarget, until_quiet
from bench.lib.enroll_floor import quiet_floors, report_enroll_against
from bench.lib.matcher_calls import preview_split, suggestion_latencies
from bench.lib.memory import peak_mib
from bench.lib.people_import import PeopleImport
from bench.lib.publish_phase import phase, publish_until_relationships
from bench.lib.scale_platform import Platform, local_platform
from bench.lib.stats import percentile
from bench.scale_baselines import in_process_solve_s, old_suggestions_ms
from tools.dev_issuer import DEV_ISSUER_DIR
from tools.organisation import organisation
from tools.platform_client import PlatformClient

ADMIN = "scale-admin"
MENTORS = {"role": "mentor", "max_level": 4, "capacity": 1}
MENTEES = {"role": "mentee", "min_level": 5}
SOLVER_STATS = ("candidates_seconds", "solve_seconds", "explain_seconds")
#: The suggestions' third pass waits until no database probe was kept waiting this long
#: (``bench/lib/database_probe.py``), for at most ``SETTLE_LIMIT_S``.
QUIET_S = 5.0
SETTLE_LIMIT_S = 900.0
#: The matcher's database when the bench starts the services (``bench/lib/scale_platform.py``).
LOCAL_MATCHER_DATABASE = "scale_matcher"


class Api:
    """The platform's APIs as the program admin (or a member) calls them."""

    def __init__(
        self,
        client: PlatformClient,
        platform: Platform,
        matcher_database: str = LOCAL_MATCHER_DATABASE,
    ) -> None:
        self.client, self.platform = client, platform
        self.matcher_database = matcher_database

    async def admin(self, method: str, url: str, expect: Any = 200, **kw: Any) -> Any:
        return await self.client.call(method, url, ADMIN, "program_admin", expect=expect, **kw)

    async def total(self, url: str, **params: Any) -> int:
        response = await self.client.send(
            "GET", url, ADMIN, "program_admin", params={**params, "limit": 1}
        )
        return int(response.json()["total"]) if response.status_code == 200 else 0

    async def program(self, name: str, mode: str, matches_start: str) -> str:
        body: dict[str, Any] = {"name": name, "kind": "reverse_mentoring", "admin_ids": [ADMIN]}
        body |= {"matching_mode": mode, "rules": {"min_overlap_hours": 0}}
        body |= {"matches_start": matches_start}
        created = await self.admin("POST", f"{self.platform.matcher}/programs", 201, json=body)
        return str(created["id"])


def poll_interval(count: int) -> float:
    """Seconds between polls: a count is a scan in the local database, so a large one is
    asked for rarely (polling 100k people every 0.25 s starved the worker's writes)."""
    return max(0.25, count / 50_000)


async def import_people(api: Api, people: list[dict[str, Any]], floor_s: float | None) -> float:
    """Seconds until the projection holds the last person (and the ``BENCH import`` line)."""
    times = await PeopleImport(api.client, api.platform.matcher, ADMIN).run(people)
    phase("import", times.import_s, publish_s=f"{times.publish_s:.1f}")
    times.report_against(floor_s, len(people))
    return times.import_s


async def bulk_enroll(api: Api, program_id: str, count: int) -> float:
    """Seconds to enroll everyone by two filter bulks (background jobs, polled)."""
    bulk = f"{api.platform.matcher}/programs/{program_id}/enrollments/bulk"
    started = time.perf_counter()
    jobs = [
        await api.admin("POST", bulk, (200, 202), json={"filter": selection})
        for selection in (MENTORS, MENTEES)
    ]
    requests_s = time.perf_counter() - started  # until both jobs were handed over
    with tqdm(total=count, desc="enroll", unit="person") as bar:
        while any(job["status"] == "running" for job in jobs):
            await asyncio.sleep(poll_interval(count))
            jobs = [
                await api.admin("GET", f"{bulk}/{job['id']}", params={"limit": 1}) for job in jobs
            ]
            bar.update(sum(job["done"] for job in jobs) - bar.n)
    assert all(job["status"] == "finished" for job in jobs), jobs
    accepted = sum(job["accepted"] for job in jobs)
    assert accepted == count, f"{accepted} of {count} enrolled"
    phase("enroll", enroll_s := time.perf_counter() - started, requests_s=f"{requests_s:.1f}")
    return enroll_s


async def preview(api: Api, program_id: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    url = f"{api.platform.matcher}/programs/{program_id}/rounds"
    draft = await api.admin("POST", url, 201)
    return time.perf_counter() - started, draft


async def run(
    platform: Platform,
    count: int,
    asks: int,
    matcher_database: str,
    *,
    round_too: bool = True,
    enroll: bool = True,
    answers: bool = False,
    publish: bool = True,
) -> None:
    people = organisation(count, "scale")
    import_floor_s, enroll_floor_s = await quiet_floors(platform.mongo_url, people)
    async with PlatformClient(platform.issuer, concurrency=16, timeout_s=1800) as client:
        api = Api(client, platform, matcher_database)
        import_s = await import_people(api, people, import_floor_s)
        if not enroll:
            return
        starts = "when_accepted" if answers else "on_publish"
        program_id = await api.program("Scale", "self_match", starts)  # rounds: any mode
        enroll_s = await bulk_enroll(api, program_id, count)
        report_enroll_against(enroll_floor_s, count, enroll_s)
        if asks:
            await suggestions(api, program_id, people, asks)
        if round_too:
            await round_phases(
                api, program_id, people, import_s, enroll_s, answers=answers, publish=publish
            )


async def round_phases(
    api: Api,
    program_id: str,
    people: list[dict[str, Any]],
    import_s: float,
    enroll_s: float,
    *,
    answers: bool = False,
    publish: bool = True,
) -> None:
    """Preview, publish until sessions holds every relationship; the in-process baseline.
    Without ``publish`` the run stops after the preview (and its split)."""
    count, platform = len(people), api.platform
    preview_s, draft = await preview(api, program_id)
    solver_s = sum(draft["stats"].get(k, 0.0) for k in SOLVER_STATS)
    phase("preview", preview_s, solver_s=f"{solver_s:.1f}", matches=draft["proposal_count"])
    print(
        preview_split(count, preview_s, draft["stats"], peak_mib(platform.matcher_pid)), flush=True
    )
    if not publish:
        return
    publish_s = await publish_until_relationships(api, program_id, draft, answers=answers)
    peak = peak_mib(platform.matcher_pid)
    print(
        f"BENCH service_scale people={count} import_s={import_s:.1f} enroll_s={enroll_s:.1f} "
        f"preview_s={preview_s:.1f} publish_s={publish_s:.1f} peak_mib={peak} "
        f"matches={draft['proposal_count']} answers={answers}",
        flush=True,
    )
    solve_s = in_process_solve_s(people)
    print(
        f"BENCH service_scale_baseline people={count} in_process_solve_s={solve_s:.1f} "
        f"preview_ratio={preview_s / solve_s:.2f}",
        flush=True,
    )


async def suggestions(api: Api, program_id: str, people: list[dict[str, Any]], asks: int) -> None:
    """``asks`` mentees spread over the population ask, before any round (everyone is
    in the pool), as soon as the enrollment jobs say finished; the first call encodes
    the roster, the others find it cached unless the pool changes. The same people then
    ask again (``again_*``): the enrollment's trailing work (its events relayed and
    applied) still keeps the database busy. Once the database has been quiet for
    ``QUIET_S`` (``settle_s`` later) they ask a third time (``settled_*``): what a call
    costs when nothing else is going on."""
    mentees = [p["person_id"] for p in people if p["level"] >= 5]
    askers = mentees[:: max(1, len(mentees) // (asks + 1))][: asks + 1]
    url = f"{api.platform.matcher}/programs/{program_id}/suggestions"
    mongo_url = api.platform.mongo_url
    database = ProbeTarget(mongo_url, api.matcher_database) if mongo_url else None
    first_pass = await suggestion_latencies(api.client, url, askers, database)
    again = await suggestion_latencies(api.client, url, askers[1:], database)
    settle_s = await until_quiet(database, quiet_s=QUIET_S, limit_s=SETTLE_LIMIT_S)
    settled = await suggestion_latencies(api.client, url, askers[1:], database)
    old_ms = old_suggestions_ms(people, askers[:3])
    warm = first_pass.after_first()
    print(
        f"BENCH suggestions people={len(people)} {warm.fields()} "
        f"first_ms={first_pass.latencies[0]:.0f} {again.fields('again_')} "
        f"old_path_ms={old_ms:.0f} ratio={old_ms / percentile(warm.latencies, 50):.0f} "
        f"peak_mib={peak_mib(api.platform.matcher_pid)} settle_s={settle_s:.0f} "
        f"{settled.fields('settled_')}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--suggestions", type=int, default=200, help="calls; 0: none")
    parser.add_argument("--matcher-url", help="a running platform's matcher (make run)")
    parser.add_argument("--sessions-url", help="a running platform's sessions (make run)")
    parser.add_argument("--matcher-pid", type=int, help="the running matcher API's pid")
    parser.add_argument("--mongo-url", help="the running matcher's database (the floors)")
    parser.add_argument(
        "--matcher-database",
        default="matcher",
        help="the running matcher's database name (MATCHER_MONGO_DATABASE; probed beside calls)",
    )
    parser.add_argument("--bootstrap", help="the running platform's broker (the round's events)")
    parser.add_argument("--no-round", action="store_true", help="stop after the suggestions")
    parser.add_argument("--no-publish", action="store_true", help="stop after the preview")
    parser.add_argument("--import-only", action="store_true", help="stop after the import")
    parser.add_argument(
        "--answers",
        action="store_true",
        help="matches wait for both members' acceptance (one request each), as before",
    )
    parser.add_argument("--keep-logs", type=Path, help="a directory for the processes' logs")
    args = parser.parse_args()
    phases = {"round_too": not args.no_round, "enroll": not args.import_only}
    phases |= {"answers": args.answers}
    phases["publish"] = not args.no_publish
    if args.matcher_url and args.sessions_url:
        platform = Platform(
            args.matcher_url,
            args.sessions_url,
            DEV_ISSUER_DIR,
            args.matcher_pid,
            args.mongo_url,
            bootstrap=args.bootstrap,
        )
        asyncio.run(run(platform, args.people, args.suggestions, args.matcher_database, **phases))
        return
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        workdir = args.keep_logs or Path(tmp)  # the logs outlive the run when kept
        workdir.mkdir(parents=True, exist_ok=True)
        with local_platform(workdir) as platform:
            database = LOCAL_MATCHER_DATABASE
            asyncio.run(run(platform, args.people, args.suggestions, database, **phases))


if __name__ == "__main__":
    main()
