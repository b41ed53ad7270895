"""The matcher store's bulk-enrollment queries (a base of ``MatcherStore``, only to keep
each module short): the people a filter selects, what a batch must know of its people
and of the program's enrollments, and the bulk jobs with their per-row reports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import Document, IndexSpec, VersionedCollection
from shared.outbox_staging import stage_entries

PEOPLE = "people"
ENROLLMENTS = "enrollments"
BULK_JOBS = "bulk_enrollment_jobs"
#: One document per batch of a job: the outcomes of its rows, in row order, and the
#: ``mentoring.enrollment.created`` events of the enrollments it wrote (an outbox
#: collection: a batch's events are cleared in one write, not one per enrollment).
BULK_REPORTS = "bulk_enrollment_reports"
#: The report document of a job's enrollments whose batch never saved its report (the
#: process stopped, or the batch failed, in between): their events, no rows.
UNREPORTED_BATCH = -1

BULK_INDEXES = [
    IndexSpec(BULK_JOBS, [("status", 1), ("heartbeat_at", 1)]),
    IndexSpec(BULK_REPORTS, [("job_id", 1), ("batch", 1)]),
]
LOOKUP_CHUNK = 1000


class BulkQueries:
    db: AsyncDatabase[Document]

    def _bulk_collections(self) -> None:
        self.bulk_jobs = VersionedCollection(self.db[BULK_JOBS])

    async def people_matching(
        self,
        *,
        departments: Sequence[str],
        business_units: Sequence[str],
        locations: Sequence[str],
        languages: Sequence[str],
        min_level: int | None,
        max_level: int | None,
    ) -> list[str]:
        """The ids of the people (departed ones included) every given criterion selects."""
        query: dict[str, Any] = {}
        for name, values in (
            ("department", departments),
            ("business_unit", business_units),
            ("location", locations),
            ("languages", languages),
        ):
            if values:
                query[name] = {"$in": list(values)}
        levels = {op: v for op, v in (("$gte", min_level), ("$lte", max_level)) if v is not None}
        if levels:
            query["level"] = levels
        found = await self.db[PEOPLE].find(query, {"_id": 1}).sort("_id", 1).to_list()
        return [doc["_id"] for doc in found]

    async def departures(self, person_ids: Sequence[str]) -> dict[str, bool]:
        """For each known person among ``person_ids``: whether they left."""
        known: dict[str, bool] = {}
        for start in range(0, len(person_ids), LOOKUP_CHUNK):
            query = {"_id": {"$in": list(person_ids[start : start + LOOKUP_CHUNK])}}
            async for doc in self.db[PEOPLE].find(query, {"departed_on": 1}):
                known[doc["_id"]] = bool(doc.get("departed_on"))
        return known

    async def enrollments_by_ids(self, enrollment_ids: Sequence[str]) -> list[Document]:
        found: list[Document] = []
        for start in range(0, len(enrollment_ids), LOOKUP_CHUNK):
            query = {"_id": {"$in": list(enrollment_ids[start : start + LOOKUP_CHUNK])}}
            found += await self.db[ENROLLMENTS].find(query).to_list()
        return found

    async def save_bulk_report(
        self, job_id: str, batch: int, rows: list[Document], events: Sequence[Document] = ()
    ) -> None:
        """A batch's outcomes with the events of what it enrolled (``pending_entry``s),
        written again as they are if the batch is retried. The fresh ``version`` tells the
        relay that a retry rewrote the document after its read."""
        doc = {
            "_id": f"{job_id}:{batch:06d}",
            "job_id": job_id,
            "batch": batch,
            "rows": rows,
            "person_ids": sorted({row["person_id"] for row in rows}),  # found on erasure
            "version": uuid.uuid4().hex,
        }
        await self.db[BULK_REPORTS].replace_one(
            {"_id": doc["_id"]}, stage_entries(doc, events), upsert=True
        )

    async def enrollments_of_job(self, job_id: str) -> list[Document]:
        """The enrollments a job wrote (a failed or stalled job's: rare, so unindexed)."""
        return await self.db[ENROLLMENTS].find({"bulk_job_id": job_id}).to_list()

    async def reported_accepted(self, job_id: str) -> set[str]:
        """Who a job's saved reports accepted: their batches' events are staged."""
        reports = await self.db[BULK_REPORTS].find({"job_id": job_id}, {"rows": 1}).to_list()
        return {
            row["person_id"]
            for doc in reports
            for row in doc["rows"]
            if row["outcome"] == "accepted"
        }

    async def bulk_report_rows(
        self, job_id: str, *, batch_size: int, offset: int, limit: int
    ) -> list[Document]:
        """Rows ``offset`` to ``offset + limit`` of a job's report, in row order."""
        first, last = offset // batch_size, (offset + limit - 1) // batch_size
        query = {"job_id": job_id, "batch": {"$gte": first, "$lte": last}}
        batches = await self.db[BULK_REPORTS].find(query).sort("batch", 1).to_list()
        rows = [row for batch in batches for row in batch["rows"]]
        skip = offset - first * batch_size
        return rows[skip : skip + limit]

    async def bulk_reports_naming(self, person_id: str) -> list[Document]:
        query = {"person_ids": {"$in": [person_id]}}
        return await self.db[BULK_REPORTS].find(query).to_list()

    async def overwrite_bulk_report(self, doc: Document) -> None:
        await self.db[BULK_REPORTS].replace_one({"_id": doc["_id"]}, doc)

    async def beat_bulk_job(self, job_id: str, at: datetime) -> None:
        """A running job's process is alive. Its version stays, so the job's own writes
        of its progress are not refused for it; a whole-document write (a ``$set`` of a
        datetime is stored as text by the local database), skipped if the job wrote
        meanwhile (its write renewed the heartbeat)."""
        job = await self.db[BULK_JOBS].find_one({"_id": job_id, "status": "running"})
        if job is not None:
            current = {"_id": job_id, "version": job["version"]}
            await self.db[BULK_JOBS].replace_one(current, {**job, "heartbeat_at": at})

    async def stalled_bulk_jobs(self, heartbeat_before: datetime) -> list[Document]:
        """Running jobs whose process stopped beating (their API stopped mid-job)."""
        query = {"status": "running", "heartbeat_at": {"$lt": heartbeat_before}}
        return await self.db[BULK_JOBS].find(query).to_list()
