"""Service layer of bulk enrollment: many enrollments from rows (a JSON body or a CSV
file) or from a filter over the people projection, with a per-row report.

Every bulk is a stored job (``bulk_enrollment_jobs``): a small one runs within its
request, a large one in the background (``bulk_jobs.BackgroundJobs``), one unit of
work per batch, each enrollment built as a single enrollment is
(``enrollments.enrollment_doc``) but its ``mentoring.enrollment.created`` queued on the
batch's report document instead (``enrollments.created_entry``: the same event), so the
relay clears a batch's thousand events in one write, not a thousand. Deterministic
enrollment ids make a re-run change nothing: its rows come back "already enrolled".
A batch that fails on a passing database error is tried again; what its first attempt
wrote carries the job's id (``bulk_job_id``), so the retry reports it as this job's and
stages its events again. A job that stops between a batch's enrollments and its report
(failed, or its process gone) has those events staged when it is marked failed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from services.matcher.bulk_batch import enroll_batch, report_row
from services.matcher.bulk_rows import bulk_row, rows_for_people, rows_from_table
from services.matcher.bulk_schemas import (
    BulkEnrollmentByFilter,
    BulkEnrollmentCreate,
    BulkEnrollmentFilter,
)
from services.matcher.deps import JobStarter, administered_program
from services.matcher.domain.bulk_enrollment import (
    BulkRow,
    Outcome,
    count_outcomes,
    refuse_repeated_people,
)
from services.matcher.enrollments import (
    ProgramClosed,
    created_entry,
)
from services.matcher.schemas import EnrollmentCreate
from services.matcher.store_bulk import UNREPORTED_BATCH
from services.matcher.unit_of_work import Work
from shared.api import PageParams
from shared.kafka.consumer import TRANSIENT_ERRORS
from shared.logging import get_logger
from shared.mongo import Document, NotFound

log = get_logger(__name__)

BATCH_SIZE = 1000
#: A running job whose heartbeat is older than this lost its process (an API restart).
#: Thirty missed beats (``bulk_jobs.HEARTBEAT_EVERY_S``): at 100k on a loaded machine,
#: with 60 s, a live job's beats were late and a progress poll failed it as stalled;
#: telling a crashed job a few minutes later costs less than failing a live one.
STALLED_AFTER = timedelta(minutes=5)
#: Tries of one batch, and the pause before the n-th retry (n times this): a database
#: blip must not fail a 100k job that a re-submission would then have to redo.
BATCH_ATTEMPTS, RETRY_PAUSE_S = 3, 1.0


async def enroll_many(
    uow: Work, jobs: JobStarter, *, program_id: str, request: BulkEnrollmentCreate
) -> tuple[Document, list[Document]]:
    """Enroll the body's rows, or everyone its filter selects (``enroll_rows``)."""
    program = await administered_program(uow, program_id)
    if isinstance(request, BulkEnrollmentByFilter):
        rows = await _selected(uow, request.filter)
        return await enroll_rows(uow, jobs, program=program, rows=rows, source="filter")
    rows = [bulk_row(number, row) for number, row in enumerate(request.rows, start=1)]
    return await enroll_rows(uow, jobs, program=program, rows=rows, source="rows")


async def enroll_table(
    uow: Work, jobs: JobStarter, *, program_id: str, table: Sequence[Mapping[str, Any]]
) -> tuple[Document, list[Document]]:
    """Enroll the rows of an uploaded CSV (``bulk_rows.parse_csv``); line 1 is its header."""
    program = await administered_program(uow, program_id)
    rows = rows_from_table(table, first_row=2)
    return await enroll_rows(uow, jobs, program=program, rows=rows, source="file")


async def _selected(uow: Work, selection: BulkEnrollmentFilter) -> list[BulkRow]:
    person_ids = await uow.store.people_matching(
        departments=selection.departments,
        business_units=selection.business_units,
        locations=selection.locations,
        languages=selection.languages,
        min_level=selection.min_level,
        max_level=selection.max_level,
    )
    shared = selection.model_dump(include={"capacity", "work_start_hour", "work_end_hour"})
    if not person_ids:
        return []
    template = EnrollmentCreate(person_id=person_ids[0], role=selection.role, **shared)
    return rows_for_people(person_ids, template)


async def enroll_rows(
    uow: Work, jobs: JobStarter, *, program: Document, rows: list[BulkRow], source: str
) -> tuple[Document, list[Document]]:
    """Store the job, then run it now (returns it finished, with its whole report) or,
    above ``bulk_background_above`` rows, in the background (returns it running)."""
    if program.get("status") != "open":
        raise ProgramClosed(f"program {program['_id']} is {program.get('status')}")
    rows = refuse_repeated_people(rows)
    job = _new_job(uow, program["_id"], total=len(rows), source=source)
    job = await uow.store.bulk_jobs.insert(
        uow.audit(job, "enrollments.bulk_requested", target=program["_id"], details=source_of(job))
    )
    if len(rows) > uow.settings.bulk_background_above:
        jobs.start(job, rows)
        return job, []
    try:
        return await run_job(lambda: uow, job, rows)
    except Exception as exc:  # the request fails; its job says why instead of running on
        await fail_job(lambda: uow, job["_id"], f"{type(exc).__name__}: {exc}")
        raise


def source_of(job: Document) -> dict[str, Any]:
    return {"source": job["source"], "total": job["total"], "job_id": job["_id"]}


def _new_job(uow: Work, program_id: str, *, total: int, source: str) -> Document:
    return {
        "_id": str(uuid.uuid4()),
        "program_id": program_id,
        "source": source,
        "status": "running",
        "total": total,
        "done": 0,
        **{outcome.value: 0 for outcome in Outcome},
        "failure": None,
        "created_at": uow.now,
        "heartbeat_at": uow.now,
        "finished_at": None,
    }


async def run_job(
    work: Callable[[], Work], job: Document, rows: Sequence[BulkRow]
) -> tuple[Document, list[Document]]:
    """Enroll the rows batch by batch, one unit of work each (``work()`` gives it); after
    each batch its report is saved and the job's progress advanced. Returns the finished
    job and its report."""
    report: list[Document] = []
    for batch, start in enumerate(range(0, len(rows), BATCH_SIZE)):
        job, done = await _retrying(work, job, batch, rows[start : start + BATCH_SIZE])
        report += done
    async with work() as uow:
        finished = {**job, "status": "finished", "finished_at": uow.now, "heartbeat_at": uow.now}
        return await uow.store.bulk_jobs.replace(finished), report


async def _retrying(
    work: Callable[[], Work], job: Document, batch: int, rows: Sequence[BulkRow]
) -> tuple[Document, list[Document]]:
    """One batch in a unit of work of its own, tried again after a passing error."""
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            async with work() as uow:
                return await _run_batch(uow, job, batch, rows)
        except TRANSIENT_ERRORS as exc:
            if attempt == BATCH_ATTEMPTS:
                raise
            log.warning("bulk_batch_retried", job_id=job["_id"], batch=batch, error=repr(exc))
            await asyncio.sleep(RETRY_PAUSE_S * attempt)
    raise AssertionError("unreachable: the last attempt returns or raises")


async def _run_batch(
    uow: Work, job: Document, batch: int, rows: Sequence[BulkRow]
) -> tuple[Document, list[Document]]:
    """Enroll a batch, save its report with the events of what it enrolled, advance the
    job's progress."""
    outcomes, events = await enroll_batch(uow, job, rows)
    done = [report_row(o) for o in outcomes]
    await uow.store.save_bulk_report(job["_id"], batch, done, events)
    counts = count_outcomes(outcomes)
    job = await uow.store.bulk_jobs.replace(
        {
            **job,
            "done": job["done"] + len(outcomes),
            **{name: job[name] + n for name, n in counts.items()},
            "heartbeat_at": uow.now,
        }
    )
    return job, done


async def fail_job(work: Callable[[], Work], job_id: str, reason: str) -> None:
    """A job that cannot go on: failed, with the reason (its report so far stays)."""
    async with work() as uow:
        await _stage_unreported(uow, job_id)
        job = await uow.store.bulk_jobs.require(job_id)
        failed = {**job, "status": "failed", "failure": reason, "finished_at": uow.now}
        await uow.store.bulk_jobs.replace(failed)


async def _stage_unreported(uow: Work, job_id: str) -> None:
    """The events of what a job enrolled in a batch that stopped before its report was
    saved (the report carries a batch's events): staged on a report of their own, so
    no enrollment the job wrote goes unannounced. Their ids are those the batch would
    have staged, so a consumer that saw some of them sees nothing new."""
    reported = await uow.store.reported_accepted(job_id)
    unreported = [
        doc
        for doc in await uow.store.enrollments_of_job(job_id)
        if doc["person_id"] not in reported and doc["status"] == "active"
    ]
    if unreported:
        events = [created_entry(uow, doc) for doc in unreported]
        await uow.store.save_bulk_report(job_id, UNREPORTED_BATCH, [], events)
        log.warning("bulk_enrollment_unreported_staged", job_id=job_id, events=len(events))


async def fail_stalled_jobs(uow: Work) -> int:
    """Jobs whose process stopped mid-job (no heartbeat for ``STALLED_AFTER``) are marked
    failed, not resumed: their rows lived in that process's memory. Re-running the same
    bulk is safe: what they enrolled comes back "already enrolled"."""
    stalled = await uow.store.stalled_bulk_jobs(uow.now - STALLED_AFTER)
    for job in stalled:
        await _stage_unreported(uow, job["_id"])
        failure = (
            f"the API stopped while the job ran ({job['done']} of {job['total']} rows done); "
            "submit the same bulk again: rows already enrolled are reported as such"
        )
        await uow.store.bulk_jobs.replace(
            {**job, "status": "failed", "failure": failure, "finished_at": uow.now}
        )
    return len(stalled)


async def job_report(
    uow: Work, *, program_id: str, job_id: str, page: PageParams
) -> tuple[Document, list[Document]]:
    """A job of a program the caller administers, and one page of its report."""
    await administered_program(uow, program_id)
    job = await uow.store.bulk_jobs.get(job_id)
    if job is None or job["program_id"] != program_id:
        raise NotFound(f"bulk enrollment {job_id}")
    if job["status"] == "running" and job["heartbeat_at"] < uow.now - STALLED_AFTER:
        await fail_stalled_jobs(uow)
        job = await uow.store.bulk_jobs.require(job_id)
    rows = await uow.store.bulk_report_rows(
        job_id, batch_size=BATCH_SIZE, offset=page.offset, limit=page.limit
    )
    return job, rows
