"""The floor of a bulk enrollment: the same enrollments written straight into a scratch
database on the same server by the store's own call, one ``insert_many`` per batch of
the job's size (``bulk_enrollments.BATCH_SIZE``), measured in the same run. No API,
job, report, event, relay or consumer: what the matcher must write at the least (the
sessions worker's projection of the same enrollments is not in it)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Any

from bench.lib.people_import import projection_floor_s
from bench.lib.scratch import scratch_database
from services.matcher.bulk_enrollments import BATCH_SIZE
from services.matcher.enrollments import enrollment_id
from services.matcher.store import INDEXES, MatcherStore
from services.matcher.store_bulk import ENROLLMENTS


def enrollment_rows(program_id: str, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each person's enrollment as a filter bulk writes it (mentors below level 5)."""
    now = datetime.now(UTC)
    return [
        {
            "_id": enrollment_id(program_id, row["person_id"]),
            "program_id": program_id,
            "person_id": row["person_id"],
            "role": "mentor" if row["level"] < 5 else "mentee",
            "skills_wanted": [],
            "goals": [],
            "capacity": 1,
            "work_start_hour": 9.0,
            "work_end_hour": 17.0,
            "status": "active",
            "created_at": now,
        }
        for row in people
    ]


async def enroll_floor_s(mongo_url: str, people: list[dict[str, Any]]) -> float:
    """Seconds to insert everyone's enrollment, ``BATCH_SIZE`` at a time, indexes in place."""
    docs = enrollment_rows("floor-program", people)
    indexes = [spec for spec in INDEXES if spec.collection == ENROLLMENTS]
    async with scratch_database(mongo_url, "enroll_floor", indexes) as db:
        store = MatcherStore(db)
        started = time.perf_counter()
        for start in range(0, len(docs), BATCH_SIZE):
            await store.enrollments.insert_many(docs[start : start + BATCH_SIZE])
        return time.perf_counter() - started


async def quiet_floors(
    mongo_url: str | None, people: list[dict[str, Any]]
) -> tuple[float | None, float | None]:
    """The import's floor (``people_import.projection_floor_s``) and the enrollment's,
    both measured before the platform has any work: measured after its phase, a floor
    shared the server with that phase's trailing work (the other services' projections,
    the roster's encoding after a bulk), which flattered the ratio. None without a
    database."""
    if mongo_url is None:
        return None, None
    return await projection_floor_s(mongo_url, people), await enroll_floor_s(mongo_url, people)


def report_enroll_against(floor_s: float | None, people: int, enroll_s: float) -> None:
    """The ``BENCH enroll`` line against its floor (none without a database)."""
    if floor_s is None:
        return
    print(
        f"BENCH enroll people={people} enroll_s={enroll_s:.1f} floor_s={floor_s:.1f} "
        f"ratio={enroll_s / floor_s:.2f} load1={os.getloadavg()[0]:.1f}",
        flush=True,
    )
