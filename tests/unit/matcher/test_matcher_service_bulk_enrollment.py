"""Service layer, bulk enrollment on the fake unit of work: every row gets an outcome
(accepted, already enrolled, rejected with its reason), a re-run changes nothing, a
filter selects from the people projection, and a large bulk becomes a job that reports
its progress batch by batch."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.matcher import (
    bulk_enrollments,
    bulk_jobs,
    bulk_rows,
    erasure,
    pool_cache,
    programs,
)
from services.matcher.api import BODY_LIMITS, BULK_MAX_BODY, create_app
from services.matcher.bulk_schemas import (
    MAX_BULK_ROWS,
    BulkEnrollmentByFilter,
    BulkEnrollmentCreate,
    BulkEnrollmentFilter,
    BulkEnrollmentRows,
)
from services.matcher.domain.bulk_enrollment import BulkRow
from services.matcher.enrollments import ProgramClosed
from services.matcher.schemas import EnrollmentCreate, ProgramCreate
from services.matcher.settings import MatcherSettings
from services.matcher.store import MatcherStore
from shared.api import PageParams
from shared.contracts.matching import ProgramKind
from shared.limits import BodySizeLimit
from shared.mongo import Document, NotFound
from shared.privacy import pseudonym
from tests.support.fakes import staged_audit, staged_events

from .service_world import OTHER_ADMIN, World, person

PROGRAM = "rm-1"


class JobsStartedLater:
    """Keeps the jobs a request hands over, for the test to run when it chooses."""

    def __init__(self) -> None:
        self.started: list[tuple[Document, list[BulkRow]]] = []

    def start(self, job: Document, rows: list[BulkRow]) -> None:
        self.started.append((job, rows))


async def reverse_mentoring(world: World, **people: dict[str, Any]) -> None:
    await world.people(*(person(pid, "Engineering", **fields) for pid, fields in people.items()))
    async with world.work() as uow:
        await programs.open_program(
            uow,
            program_id=PROGRAM,
            request=ProgramCreate(name="RM", kind=ProgramKind.REVERSE_MENTORING),
        )


def rows(*pairs: tuple[str, str]) -> BulkEnrollmentRows:
    return BulkEnrollmentRows.model_validate(
        {"rows": [{"person_id": pid, "role": role} for pid, role in pairs]}
    )


async def enroll(world: World, request: BulkEnrollmentCreate) -> tuple[Document, list[Document]]:
    async with world.work() as uow:
        return await bulk_enrollments.enroll_many(
            uow, JobsStartedLater(), program_id=PROGRAM, request=request
        )


def outcomes(report: list[Document]) -> dict[str, tuple[str, str | None]]:
    return {r["person_id"]: (r["outcome"], r["reason"]) for r in report}


async def test_each_row_is_accepted_or_rejected_with_its_reason() -> None:
    world = World()
    await reverse_mentoring(
        world, junior={"level": 2}, senior={}, gone={"departed_on": "2026-01-01"}
    )
    job, report = await enroll(
        world,
        rows(
            ("junior", "mentor"),
            ("senior", "peer"),
            ("gone", "mentee"),
            ("ghost", "mentee"),
            ("junior", "mentee"),
        ),
    )
    assert outcomes(report[:4]) == {
        "junior": ("accepted", None),
        "senior": ("rejected", "role_not_in_program"),
        "gone": ("rejected", "departed"),
        "ghost": ("rejected", "unknown_person"),
    }
    assert report[-1] == {
        "row": 5,
        "person_id": "junior",
        "outcome": "rejected",
        "reason": "duplicate_row",
        "detail": "junior is on row 1 already",
    }
    assert (job["status"], job["done"], job["accepted"], job["rejected"]) == ("finished", 5, 1, 4)


async def test_every_accepted_row_stages_one_enrollment_created_event_on_its_report() -> None:
    world = World()
    await reverse_mentoring(world, a={}, b={}, c={})
    await enroll(world, rows(("a", "mentor"), ("b", "mentee"), ("c", "mentee")))
    assert await staged_events(world.database.enrollments) == []
    events = await staged_events(world.database.bulk_enrollment_reports)
    assert sorted(e.data["person_id"] for e in events) == ["a", "b", "c"]
    assert {e.type for e in events} == {"mentoring.enrollment.created"}
    assert {e.id for e in events} == {f"{PROGRAM}:{p}:created:0" for p in "abc"}


async def test_running_the_same_bulk_again_changes_nothing_and_says_so() -> None:
    world = World()
    await reverse_mentoring(world, a={}, b={})
    await enroll(world, rows(("a", "mentor"), ("b", "mentee")))
    before = await world.database.enrollments.find({}).to_list()
    job, report = await enroll(world, rows(("a", "mentor"), ("b", "mentee")))
    assert outcomes(report) == {"a": ("already_enrolled", None), "b": ("already_enrolled", None)}
    assert report[0]["detail"] == "enrolled as mentor"
    assert (job["accepted"], job["already_enrolled"]) == (0, 2)
    assert await world.database.enrollments.find({}).to_list() == before


async def test_a_filter_enrolls_everyone_it_selects_from_the_people_projection() -> None:
    world = World()
    await reverse_mentoring(
        world,
        fr1={"level": 2, "location": "Paris", "languages": ["fr"]},
        fr2={"level": 3, "location": "Paris", "languages": ["fr", "en"]},
        senior={"level": 8, "location": "Paris", "languages": ["fr"]},
        berlin={"level": 2, "location": "Berlin", "languages": ["de"]},
    )
    selection = BulkEnrollmentFilter(
        role="mentor", locations=["Paris"], max_level=4, languages=["fr"], capacity=2
    )
    job, report = await enroll(world, BulkEnrollmentByFilter(filter=selection))
    assert outcomes(report) == {"fr1": ("accepted", None), "fr2": ("accepted", None)}
    enrolled = await world.database.enrollments.find({}).to_list()
    assert {(e["person_id"], e["role"], e["capacity"]) for e in enrolled} == {
        ("fr1", "mentor", 2),
        ("fr2", "mentor", 2),
    }
    assert job["source"] == "filter"


def test_a_filter_needs_at_least_one_criterion() -> None:
    with pytest.raises(ValueError, match="at least one criterion"):
        BulkEnrollmentFilter(role="mentor")


async def test_a_withdrawn_person_is_enrolled_again_with_a_new_event() -> None:
    world = World()
    await reverse_mentoring(world, a={})
    await enroll(world, rows(("a", "mentor")))
    await world.database.enrollments.update_one(
        {"_id": f"{PROGRAM}:a"}, {"$set": {"status": "withdrawn", "pending_events": []}}
    )
    _, report = await enroll(world, rows(("a", "mentee")))
    assert outcomes(report) == {"a": ("accepted", None)}
    events = await staged_events(world.database.bulk_enrollment_reports)
    assert {(e.id, e.data["role"]) for e in events} == {
        (f"{PROGRAM}:a:created:0", "mentor"),
        (f"{PROGRAM}:a:created:1", "mentee"),
    }


async def test_a_closed_program_takes_no_bulk() -> None:
    world = World()
    await reverse_mentoring(world, a={})
    await world.database.programs.update_one({"_id": PROGRAM}, {"$set": {"status": "closed"}})
    with pytest.raises(ProgramClosed):
        await enroll(world, rows(("a", "mentor")))


async def test_another_admins_program_is_not_found() -> None:
    world = World()
    await reverse_mentoring(world, a={})
    with pytest.raises(NotFound):
        await bulk_enrollments.enroll_many(
            world.work(OTHER_ADMIN),
            JobsStartedLater(),
            program_id=PROGRAM,
            request=rows(("a", "mentor")),
        )


async def test_a_csv_row_that_does_not_validate_is_rejected_with_its_errors() -> None:
    world = World()
    await reverse_mentoring(world, a={}, b={})
    table = bulk_rows.parse_csv(
        "person_id,role,goals,capacity\na,mentor,ai;data,2\nb,mentee,,lots\n"
    )
    async with world.work() as uow:
        _, report = await bulk_enrollments.enroll_table(
            uow, JobsStartedLater(), program_id=PROGRAM, table=table
        )
    assert [(r["row"], r["outcome"], r["reason"]) for r in report] == [
        (2, "accepted", None),
        (3, "rejected", "invalid"),
    ]
    assert report[1]["detail"].startswith("capacity:")
    [doc] = await world.database.enrollments.find({"status": "active"}).to_list()
    assert (doc["goals"], doc["capacity"]) == (["ai", "data"], 2)


async def test_a_large_bulk_becomes_a_job_with_progress_and_a_paged_report() -> None:
    world = World()
    people = {f"p{n:04d}": {} for n in range(bulk_enrollments.BATCH_SIZE + 5)}
    await reverse_mentoring(world, **people)
    jobs = JobsStartedLater()
    settings = MatcherSettings(bulk_background_above=10)
    request = rows(*((pid, "mentee") for pid in people))
    async with world.work(settings=settings) as uow:
        job, report = await bulk_enrollments.enroll_many(
            uow, jobs, program_id=PROGRAM, request=request
        )
    assert (job["status"], job["done"], report) == ("running", 0, [])
    [(started, job_rows)] = jobs.started
    finished, _ = await bulk_enrollments.run_job(world.work, started, job_rows)
    assert (finished["status"], finished["done"], finished["accepted"]) == (
        "finished",
        len(people),
        len(people),
    )
    page = PageParams(limit=10, offset=bulk_enrollments.BATCH_SIZE - 5)
    async with world.work() as uow:
        _, rows_page = await bulk_enrollments.job_report(
            uow, program_id=PROGRAM, job_id=job["_id"], page=page
        )
    assert [r["row"] for r in rows_page] == list(range(page.offset + 1, page.offset + 11))
    [audit] = [a for a in await staged_audit(world.database.bulk_enrollment_jobs)]
    assert audit["action"] == "enrollments.bulk_requested"


async def background_job() -> tuple[World, Document]:
    """A bulk of 20 rows handed to the background (not run yet)."""
    world = World()
    await reverse_mentoring(world, **{f"p{n}": {} for n in range(20)})
    settings = MatcherSettings(bulk_background_above=10)
    async with world.work(settings=settings) as uow:
        job, _ = await bulk_enrollments.enroll_many(
            uow,
            JobsStartedLater(),
            program_id=PROGRAM,
            request=rows(*((f"p{n}", "mentee") for n in range(20))),
        )
    return world, job


class WorldRuntime:
    """What ``BackgroundJobs`` takes of the runtime: units of work, here the world's."""

    def __init__(self, world: World) -> None:
        self.world = world

    def unit_of_work(self) -> Any:
        return self.world.work()


async def test_when_a_programs_last_job_ends_its_roster_is_encoded_for_what_follows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two jobs for one program: nothing is built while the second still runs (its
    enrollments would make the roster stale); once it ends, the roster is built, and the
    first suggestion or preview finds it ready."""
    world = World()
    await reverse_mentoring(world, **{f"p{n}": {} for n in range(20)})
    roster_reads: list[str] = []
    read_enrollments = MatcherStore.active_enrollments

    async def counted(store: MatcherStore, program_id: str) -> list[Document]:
        roster_reads.append(program_id)
        return await read_enrollments(store, program_id)

    monkeypatch.setattr(MatcherStore, "active_enrollments", counted)
    second_may_run = asyncio.Event()
    run_job = bulk_enrollments.run_job

    async def second_held(work: Any, job: Document, job_rows: list[BulkRow]) -> Any:
        if job_rows[0].person_id == "p10":
            await second_may_run.wait()
        return await run_job(work, job, job_rows)

    monkeypatch.setattr(bulk_enrollments, "run_job", second_held)
    jobs = bulk_jobs.BackgroundJobs(WorldRuntime(world))  # type: ignore[arg-type]
    started = []
    for half in (range(10), range(10, 20)):
        async with world.work(settings=MatcherSettings(bulk_background_above=5)) as uow:
            request = rows(*((f"p{n}", "mentee") for n in half))
            job, _ = await bulk_enrollments.enroll_many(
                uow, jobs, program_id=PROGRAM, request=request
            )
            started.append(job["_id"])

    while (await world.store.bulk_jobs.require(started[0]))["status"] == "running":
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.01)
    assert roster_reads == [], "not built while the program's other job runs"
    second_may_run.set()
    await jobs.wait()
    assert roster_reads == [PROGRAM], "built once the last job ended"
    async with world.work() as uow:
        roster = await pool_cache.program_roster(uow, await uow.store.programs.require(PROGRAM))
    assert roster_reads == [PROGRAM] and len(roster.places) == 20, "served as built"


async def test_a_job_left_running_by_a_stopped_api_is_marked_failed_with_its_reason() -> None:
    world, job = await background_job()
    later = world.work(now=job["created_at"] + 2 * bulk_enrollments.STALLED_AFTER)
    assert await bulk_enrollments.fail_stalled_jobs(later) == 1
    failed = await world.store.bulk_jobs.require(job["_id"])
    assert failed["status"] == "failed"
    assert "submit the same bulk again" in failed["failure"]


async def beaten(world: World, job_id: str, at: Any) -> None:
    """Until the job's heartbeat says ``at`` (or a second has passed)."""
    for _ in range(1000):
        if (await world.store.bulk_jobs.require(job_id))["heartbeat_at"] == at:
            return
        await asyncio.sleep(0.001)


@pytest.fixture
async def quick_beats(monkeypatch: pytest.MonkeyPatch) -> tuple[World, Document, Any]:
    """A bulk in the background, a time past its stall limit, a heartbeat every ms."""
    world, job = await background_job()
    monkeypatch.setattr(bulk_jobs, "HEARTBEAT_EVERY_S", 0.001)
    return world, job, job["created_at"] + 2 * bulk_enrollments.STALLED_AFTER


async def test_a_job_whose_batch_outlasts_the_stall_limit_keeps_running_while_it_beats(
    quick_beats: tuple[World, Document, Any],
) -> None:
    world, job, later = quick_beats

    async with bulk_jobs.heartbeat(lambda: world.work(now=later), job["_id"]):
        await beaten(world, job["_id"], later)  # the batch still runs; the beat comes
        async with world.work(now=later) as uow:
            polled, _ = await bulk_enrollments.job_report(
                uow, program_id=PROGRAM, job_id=job["_id"], page=PageParams(limit=1, offset=0)
            )

    assert polled["status"] == "running"
    assert polled["version"] == job["version"], "a beat leaves the job's own writes valid"


async def test_a_failed_beat_is_tried_again_and_the_job_goes_on(
    quick_beats: tuple[World, Document, Any],
) -> None:
    world, job, later = quick_beats
    calls = []

    def flaky_work() -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("database unreachable for a moment")
        return world.work(now=later)

    async with bulk_jobs.heartbeat(flaky_work, job["_id"]):
        await beaten(world, job["_id"], later)

    assert len(calls) >= 2
    assert (await world.store.bulk_jobs.require(job["_id"]))["heartbeat_at"] == later


async def test_an_erased_person_is_left_in_bulk_reports_only_as_a_pseudonym() -> None:
    world = World()
    await reverse_mentoring(world, a={}, b={})
    job, _ = await enroll(world, rows(("a", "mentor"), ("b", "mentee"), ("a", "mentee")))
    async with world.work() as uow:
        await erasure.erase_person(uow, "a")
    [report] = await world.database.bulk_enrollment_reports.find({}).to_list()
    assert "'a'" not in repr(report)
    assert [r["person_id"] for r in report["rows"]] == [pseudonym("a"), "b", pseudonym("a")]
    events = await staged_events(world.database.bulk_enrollment_reports)
    assert [e.data["person_id"] for e in events] == ["b"]  # a's is not sent after erasure


def report_save_fails_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first save of a batch's report fails (the database away for a moment), after
    the batch's enrollments are written; returns the failures (one, once it came)."""
    save_report, failures = MatcherStore.save_bulk_report, []

    async def fails_once(self: MatcherStore, *args: Any) -> None:
        if not failures:
            failures.append(1)
            raise ConnectionError("database unreachable for a moment")
        await save_report(self, *args)

    monkeypatch.setattr(MatcherStore, "save_bulk_report", fails_once)
    return failures


async def test_a_batch_cut_off_by_a_database_blip_is_tried_again_and_reports_its_own_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The enrollments were written when the blip came (before the batch's report): the
    retry must say "accepted", not "already enrolled", and stage no second event."""
    world = World()
    await reverse_mentoring(world, a={}, b={})
    monkeypatch.setattr(bulk_enrollments, "RETRY_PAUSE_S", 0.0)
    blips = report_save_fails_once(monkeypatch)
    job, report = await enroll(world, rows(("a", "mentor"), ("b", "mentee")))

    assert blips == [1]
    assert outcomes(report) == {"a": ("accepted", None), "b": ("accepted", None)}
    assert (job["status"], job["accepted"], job["already_enrolled"]) == ("finished", 2, 0)
    events = await staged_events(world.database.bulk_enrollment_reports)
    assert sorted(e.id for e in events) == [f"{PROGRAM}:{p}:created:0" for p in "ab"]


async def unreported_bulk(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bulk whose enrollments are written but whose batch's report is not (it fails
    for good: one attempt)."""
    await reverse_mentoring(world, a={}, b={})
    monkeypatch.setattr(bulk_enrollments, "BATCH_ATTEMPTS", 1)
    report_save_fails_once(monkeypatch)
    with pytest.raises(ConnectionError):
        await enroll(world, rows(("a", "mentor"), ("b", "mentee")))


async def test_a_job_failing_before_its_report_still_announces_what_it_enrolled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    await unreported_bulk(world, monkeypatch)
    [job] = await world.database.bulk_enrollment_jobs.find({}).to_list()
    assert job["status"] == "failed"
    assert len(await world.database.enrollments.find({}).to_list()) == 2
    events = await staged_events(world.database.bulk_enrollment_reports)
    assert sorted(e.id for e in events) == [f"{PROGRAM}:{p}:created:0" for p in "ab"]
    page = await bulk_enrollments.job_report(
        world.work(), program_id=PROGRAM, job_id=job["_id"], page=PageParams(offset=0, limit=10)
    )
    assert page[1] == []  # the events' document holds no report rows


async def test_a_stalled_job_announces_the_enrollments_its_last_batch_wrote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world, job = await background_job()

    async def process_stops(*_: object) -> None:
        raise asyncio.CancelledError

    with monkeypatch.context() as patched:
        patched.setattr(MatcherStore, "save_bulk_report", process_stops)
        row = bulk_rows.bulk_row(1, EnrollmentCreate(person_id="p1", role="mentee"))
        with pytest.raises(asyncio.CancelledError):
            await bulk_enrollments.run_job(world.work, job, [row])
    later = world.work(now=job["created_at"] + 2 * bulk_enrollments.STALLED_AFTER)
    assert await bulk_enrollments.fail_stalled_jobs(later) == 1
    [event] = await staged_events(world.database.bulk_enrollment_reports)
    assert (event.id, event.time) == (f"{PROGRAM}:p1:created:0", job["created_at"])


async def test_a_bulk_that_fails_within_its_request_leaves_its_job_failed_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    await reverse_mentoring(world, a={})
    monkeypatch.setattr(bulk_enrollments, "RETRY_PAUSE_S", 0.0)

    async def database_gone(*_: object) -> None:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(MatcherStore, "departures", database_gone)
    with pytest.raises(ConnectionError):
        await enroll(world, rows(("a", "mentor")))
    [job] = await world.database.bulk_enrollment_jobs.find({}).to_list()
    assert (job["status"], job["failure"]) == ("failed", "ConnectionError: database unreachable")


def test_bulk_paths_take_large_bodies_and_other_program_paths_keep_the_default_cap() -> None:
    limits = BodySizeLimit(None, max_bytes=1, overrides=BODY_LIMITS)  # type: ignore[arg-type]
    assert limits.limit_for("/programs/rm-1/enrollments/bulk") == BULK_MAX_BODY
    assert limits.limit_for("/programs/rm-1/enrollments/bulk/file") == BULK_MAX_BODY
    assert limits.limit_for("/programs/rm-1/enrollments") == 1
    assert limits.limit_for("/programs/rm-1/x/enrollments/bulk") == 1
    assert limits.limit_for("/people/import") == 10 * 1024 * 1024
    assert BULK_MAX_BODY > MAX_BULK_ROWS * len('{"person_id":"p-000042","role":"mentor"},')


async def test_the_apps_body_size_limit_lets_a_large_bulk_through_and_no_other_body() -> None:
    reached: list[str] = []

    async def app(scope: Any, _receive: Any, _send: Any) -> None:
        reached.append(scope["path"])

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: Any) -> None:
        return None

    [configured] = [m for m in create_app().user_middleware if m.cls is BodySizeLimit]
    limited = BodySizeLimit(app, **configured.kwargs)
    five_mib = [(b"content-length", str(5 * 1024 * 1024).encode())]
    for path in ("/programs/rm-1/enrollments/bulk", "/programs/rm-1/enrollments"):
        await limited({"type": "http", "path": path, "headers": five_mib}, receive, send)
    assert reached == ["/programs/rm-1/enrollments/bulk"]
