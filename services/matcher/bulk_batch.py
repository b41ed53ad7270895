"""One batch of a bulk enrollment (``bulk_enrollments``): its rows decided against the
program, the people and the enrollments there are, the accepted ones written, and the
``mentoring.enrollment.created`` of each for the batch's report to carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from services.matcher.domain.bulk_enrollment import BulkRow, Outcome, RowOutcome, decide_rows
from services.matcher.enrollments import created_entry, enrollment_doc, enrollment_id
from services.matcher.unit_of_work import Work
from shared.mongo import Document
from shared.outbox_staging import PENDING, stage_entries, take_staged


async def enroll_batch(
    uow: Work, job: Document, rows: Sequence[BulkRow]
) -> tuple[list[RowOutcome], list[Document]]:
    """The rows' outcomes, and the ``mentoring.enrollment.created`` of each enrollment
    the job wrote (a retry's own from its first attempt included), for the report to
    carry: the enrollments themselves are written without them."""
    program_id = job["program_id"]
    program = await uow.store.programs.require(program_id)
    wanted = [row.person_id for row in rows if row.refusal is None]
    departed = await uow.store.departures(wanted)
    ids = [enrollment_id(program_id, person_id) for person_id in wanted]
    existing = {doc["person_id"]: doc for doc in await uow.store.enrollments_by_ids(ids)}
    active = {p: doc for p, doc in existing.items() if doc["status"] == "active"}
    ours = {p for p, doc in active.items() if doc.get("bulk_job_id") == job["_id"]}
    outcomes = decide_rows(
        rows,
        kind=program["kind"],
        program_open=program.get("status") == "open",
        departed=departed,
        enrolled_as={p: doc["role"] for p, doc in active.items() if p not in ours},
    )
    accepted = {o.row for o in outcomes if o.outcome is Outcome.ACCEPTED}
    docs = [
        _unstaged(
            enrollment_doc(uow, program_id, dict(row.fields), existing.get(row.person_id)),
            existing.get(row.person_id),
            job_id=job["_id"],
        )
        for row in rows
        if row.row in accepted and row.person_id not in ours  # a retry's: written already
    ]
    raced = await uow.store.enrollments.insert_many([d for d in docs if "version" not in d])
    replaced = await uow.store.enrollments.replace_many([d for d in docs if "version" in d])
    written = [{**d, "version": 1} for d in docs if "version" not in d and d["_id"] not in raced]
    written += replaced + [active[p] for p in ours]
    outcomes = [
        replace(o, outcome=Outcome.ALREADY_ENROLLED, detail="enrolled meanwhile")
        if enrollment_id(program_id, o.person_id) in raced and o.outcome is Outcome.ACCEPTED
        else o
        for o in outcomes
    ]
    return outcomes, [created_entry(uow, doc) for doc in written]


def _unstaged(doc: Document, existing: Document | None, *, job_id: str) -> Document:
    """The enrollment as the job writes it: its event goes on the batch's report; a
    replaced one's events not yet relayed stay on it (the relay clears those alone)."""
    doc, _ = take_staged(doc)
    if existing is not None and existing.get(PENDING):
        doc = stage_entries(doc, existing[PENDING])
    return {**doc, "bulk_job_id": job_id}


def report_row(outcome: RowOutcome) -> Document:
    return {
        "row": outcome.row,
        "person_id": outcome.person_id,
        "outcome": outcome.outcome.value,
        "reason": None if outcome.reason is None else outcome.reason.value,
        "detail": outcome.detail,
    }
