"""Large bulk enrollments run after their request answered, in the API process: one
asyncio task per job, each batch in a unit of work of its own from the runtime (so the
relay publishes a batch's events while the next is written). When a program's last
running job finishes, its roster is encoded in the background (``pool_cache``), so the
first suggestion or preview after a large enrollment does not wait for it (at 100k
people, 16-22 s)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from services.matcher import bulk_enrollments, pool_cache
from services.matcher.domain.bulk_enrollment import BulkRow
from services.matcher.unit_of_work import Work
from shared.contracts.matching import ProgramKind
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
        self._running: Counter[str] = Counter()  # jobs under way, by program

    def _work(self) -> Work:
        uow: Work = self.runtime.unit_of_work()
        return uow

    def start(self, job: Document, rows: list[BulkRow]) -> None:
        self._running[job["program_id"]] += 1
        self._keep(self._run(job, rows), name=f"bulk-{job['_id']}")

    def _keep(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Document, rows: list[BulkRow]) -> None:
        program_id = job["program_id"]
        try:
            async with heartbeat(self._work, job["_id"]):
                await bulk_enrollments.run_job(self._work, job, rows)
            log.info("bulk_enrollment_finished", job_id=job["_id"], rows=len(rows))
        except Exception as exc:  # the job fails with its reason; the API goes on
            log.exception("bulk_enrollment_failed", job_id=job["_id"])
            await bulk_enrollments.fail_job(self._work, job["_id"], f"{type(exc).__name__}: {exc}")
        finally:
            self._running[program_id] -= 1
        if not self._running[program_id]:  # another job's enrollments would renew it
            del self._running[program_id]
            self._keep(self._warm_roster(program_id), name=f"roster-{program_id}")

    async def _warm_roster(self, program_id: str) -> None:
        """Encode the program's roster into this process's cache; a call that asks for it
        meanwhile waits for this build rather than starting its own."""
        try:
            async with self._work() as uow:
                program = await uow.store.programs.require(program_id)
                if program["kind"] == ProgramKind.FLASH:
                    return  # people book slots: no suggestions or rounds to encode for
                await pool_cache.program_roster(uow, program)
            log.info("bulk_enrollment_roster_warmed", program_id=program_id)
        except Exception as exc:  # the first call builds it instead
            log.warning("bulk_enrollment_roster_not_warmed", program_id=program_id, error=repr(exc))

    async def resume_after_restart(self) -> None:
        """At start: jobs a stopped API left running are marked failed (see
        ``bulk_enrollments.fail_stalled_jobs``)."""
        async with self._work() as uow:
            failed = await bulk_enrollments.fail_stalled_jobs(uow)
        if failed:
            log.warning("bulk_enrollments_marked_failed", jobs=failed)

    async def wait(self) -> None:
        """Until every job and roster build under way here has ended."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
