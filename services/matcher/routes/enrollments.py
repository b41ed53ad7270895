"""Enrollments of people in programs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from services.matcher import bulk_enrollments, bulk_rows, enrollments
from services.matcher.bulk_schemas import MAX_BULK_ROWS, BulkEnrollmentCreate, BulkJobRead
from services.matcher.deps import ADMIN, BulkJobs, Paging, Work
from services.matcher.routes.reads import as_page, as_read
from services.matcher.routes.uploads import too_many_rows, upload_text
from services.matcher.schemas import EnrollmentCreate, EnrollmentRead
from shared.api import CONFLICT, Page, PageParams, unprocessable
from shared.contracts.matching import MemberRole
from shared.inputs import PathIdentifier
from shared.mongo import Document

router = APIRouter(prefix="/programs/{program_id}/enrollments", tags=["enrollments"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrollmentRead,
    responses={**CONFLICT, 200: {"model": EnrollmentRead, "description": "Already enrolled."}},
)
async def enroll(
    program_id: PathIdentifier, body: EnrollmentCreate, uow: Work, response: Response
) -> dict[str, object]:
    """Enroll yourself, or (program admins) anyone; enrolling again answers 200."""
    try:
        doc, created = await enrollments.enroll(uow, program_id=program_id, request=body)
    except enrollments.EnrollmentRefused as exc:
        raise unprocessable(exc.field, str(exc)) from exc
    if not created:
        response.status_code = status.HTTP_200_OK
    return as_read(doc)


@router.get("", response_model=Page[EnrollmentRead], dependencies=[ADMIN])
async def list_enrollments(
    program_id: PathIdentifier,
    uow: Work,
    page: Paging,
    role: Annotated[MemberRole | None, Query()] = None,
) -> dict[str, object]:
    found = await enrollments.list_enrollments(uow, program_id=program_id, role=role, page=page)
    return as_page(found, page, as_read)


@router.delete("/{person_id}", response_model=EnrollmentRead)
async def withdraw(
    program_id: PathIdentifier, person_id: PathIdentifier, uow: Work
) -> dict[str, object]:
    """Withdraw yourself, or (program admins) anyone."""
    return as_read(await enrollments.withdraw(uow, program_id=program_id, person_id=person_id))


#: What both bulk routes answer: 200 with the whole report, or 202 with a job to poll.
BULK_ROUTE: dict[str, Any] = {
    "response_model": BulkJobRead,
    "dependencies": [ADMIN],
    "responses": {
        **CONFLICT,
        202: {"model": BulkJobRead, "description": "A large bulk: runs in the background."},
    },
}


@router.post(
    "/bulk",
    summary="Enroll many people (rows, or a filter over people); a per-row report.",
    **BULK_ROUTE,
)
async def enroll_many(
    program_id: PathIdentifier,
    body: BulkEnrollmentCreate,
    uow: Work,
    jobs: BulkJobs,
    response: Response,
) -> dict[str, object]:
    """Up to ``bulk_background_above`` rows run now (200 with every row's outcome); more
    run as a job (202, ``Location`` of the job to poll). Running it again changes nothing."""
    job, report = await bulk_enrollments.enroll_many(uow, jobs, program_id=program_id, request=body)
    return _answer(job, report, response)


@router.post(
    "/bulk/file",
    summary="Enroll the rows of a CSV file (header row); a per-row report.",
    **BULK_ROUTE,
)
async def enroll_many_from_file(
    program_id: PathIdentifier,
    uow: Work,
    jobs: BulkJobs,
    response: Response,
    file: Annotated[UploadFile, File(description="CSV: the single enrollment's fields")],
) -> dict[str, object]:
    """Columns ``person_id,role`` and optionally ``goals,skills_wanted`` (``;``-separated),
    ``capacity,work_start_hour,work_end_hour``. A bad row is rejected with its errors."""
    try:
        table = bulk_rows.parse_csv(await upload_text(file))
    except ValueError as exc:
        raise unprocessable("file", f"cannot read {file.filename}: {exc}") from exc
    if len(table) > MAX_BULK_ROWS:
        raise too_many_rows(len(table), MAX_BULK_ROWS)
    job, report = await bulk_enrollments.enroll_table(uow, jobs, program_id=program_id, table=table)
    return _answer(job, report, response)


@router.get("/bulk/{job_id}", response_model=BulkJobRead, dependencies=[ADMIN])
async def bulk_job(
    program_id: PathIdentifier, job_id: PathIdentifier, uow: Work, page: Paging
) -> dict[str, object]:
    """A bulk enrollment's status, progress (``done`` of ``total``) and a page of its report."""
    job, rows = await bulk_enrollments.job_report(
        uow, program_id=program_id, job_id=job_id, page=page
    )
    return _job_read(job, rows, page)


def _answer(job: Document, report: list[Document], response: Response) -> dict[str, object]:
    if job["status"] == "running":
        response.status_code = status.HTTP_202_ACCEPTED
        response.headers["Location"] = f"{router.prefix}/bulk/{job['_id']}".replace(
            "{program_id}", job["program_id"]
        )
    return _job_read(job, report, PageParams(limit=max(len(report), 1), offset=0))


def _job_read(job: Document, rows: list[Document], page: PageParams) -> dict[str, object]:
    read = as_read(job)
    read["report"] = {
        "items": rows,
        "total": job["done"],
        "limit": page.limit,
        "offset": page.offset,
    }
    return read
