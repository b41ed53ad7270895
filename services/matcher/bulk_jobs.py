"""Large bulk enrollments run after their request answered, in the API process: one
asyncio task per job, each batch in a unit of work of its own from the runtime (so the
relay publishes a batch's events while the next is written)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from services.matcher import bulk_enrollments
from services.matcher.domain.bulk_enrollment import BulkRow
from services.matcher.unit_of_work import Work
from shared.logging import get_logger
from shared.mongo import Document
from shared.runtime import Runtime

log = get_logger(__name__)

#: How often a background job's process says it is alive, batch done or not.
HEARTBEAT_EVERY_S = 10.0


@contextlib.asynccontextmanager
async def heartbeat(work: Callable[[], Work], job_id: str) -> AsyncIterator[None]:
    """While the body runs, the job's heartbeat is renewed every ``HEARTBEAT_EVERY_S``:
    a batch may take longer than ``STALLED_AFTER`` on a busy database (at 100k, with a
    second job beside it, one took 84 s and a progress poll failed the job as stalled).
    A beat that fails is logged and the next one tried; the job goes on."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_EVERY_S)
            try:
                async with work() as uow:
                    await uow.store.beat_bulk_job(job_id, uow.now)
            except Exception as exc:  # a missed beat; STALLED_AFTER allows several
                log.warning("bulk_enrollment_heartbeat_failed", job_id=job_id, error=repr(exc))

    beating = asyncio.create_task(beat(), name=f"bulk-heartbeat-{job_id}")
    try:
        yield
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating


class BackgroundJobs:
    """The API's running bulk jobs (kept referenced until they end)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._tasks: set[asyncio.Task[Any]] = set()

    def _work(self) -> Work:
        uow: Work = self.runtime.unit_of_work()
        return uow

    def start(self, job: Document, rows: list[BulkRow]) -> None:
        task = asyncio.create_task(self._run(job, rows), name=f"bulk-{job['_id']}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Document, rows: list[BulkRow]) -> None:
        try:
            async with heartbeat(self._work, job["_id"]):
                await bulk_enrollments.run_job(self._work, job, rows)
            log.info("bulk_enrollment_finished", job_id=job["_id"], rows=len(rows))
        except Exception as exc:  # the job fails with its reason; the API goes on
            log.exception("bulk_enrollment_failed", job_id=job["_id"])
            await bulk_enrollments.fail_job(self._work, job["_id"], f"{type(exc).__name__}: {exc}")

    async def resume_after_restart(self) -> None:
        """At start: jobs a stopped API left running are marked failed (see
        ``bulk_enrollments.fail_stalled_jobs``)."""
        async with self._work() as uow:
            failed = await bulk_enrollments.fail_stalled_jobs(uow)
        if failed:
            log.warning("bulk_enrollments_marked_failed", jobs=failed)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
