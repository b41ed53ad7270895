"""A program admin's bulk enrollment (a CSV upload or a filter over the people HR
gave us, with the matcher's per-row report and progress) and the program's audit trail."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from services.console.api import ApiError
from services.console.bulk_views import MAX_UPLOAD_BYTES, bulk_filter_payload
from services.console.paging import PAGE_SIZE, offset_of, pages
from services.console.views import MEMBER_ROLES, FormError
from services.console.web import AsAdmin, apis_for, back_to, form_of, page
from shared.inputs import PathIdentifier

router = APIRouter(prefix="/admin/programs/{program_id}")


def _bulk_page(program_id: str) -> str:
    return f"/admin/programs/{program_id}/bulk"


@router.get("/bulk")
async def bulk(request: Request, program_id: PathIdentifier, session: AsAdmin) -> Response:
    """The two ways to enroll many, and the job asked for (``?job=``) with its report."""
    apis = apis_for(request, session)
    program = await apis.get("matcher", f"/programs/{program_id}")
    job_id, offset = request.query_params.get("job", ""), offset_of(request.query_params)
    job = None
    if job_id:
        path = f"/programs/{program_id}/enrollments/bulk/{job_id}"
        job = await apis.get("matcher", path, limit=PAGE_SIZE, offset=offset)
    return page(
        request,
        "bulk.html",
        session,
        program=program,
        job=job,
        report_pages=pages(job["report"]["total"], offset) if job else None,
        member_roles=MEMBER_ROLES,
    )


@router.post("/bulk/file")
async def bulk_from_file(
    request: Request, program_id: PathIdentifier, session: AsAdmin
) -> Response:
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return back_to(_bulk_page(program_id), error="Choose a CSV file to upload")
    content = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return back_to(_bulk_page(program_id), error="The file is over 20 MiB: split it")
    path = f"/programs/{program_id}/enrollments/bulk/file"
    try:
        job = await apis_for(request, session).upload(
            "matcher", path, "file", upload.filename, content
        )
    except ApiError as exc:
        return back_to(_bulk_page(program_id), error=str(exc))
    return back_to(_bulk_page(program_id), job=job["id"], notice=_summary(job))


@router.post("/bulk/filter")
async def bulk_by_filter(
    request: Request, program_id: PathIdentifier, session: AsAdmin
) -> Response:
    try:
        body = bulk_filter_payload(await form_of(request))
        path = f"/programs/{program_id}/enrollments/bulk"
        job = await apis_for(request, session).post("matcher", path, body)
    except (FormError, ApiError) as exc:
        return back_to(_bulk_page(program_id), error=str(exc))
    return back_to(_bulk_page(program_id), job=job["id"], notice=_summary(job))


def _summary(job: dict[str, object]) -> str:
    if job["status"] == "running":
        return f"Enrolling {job['total']} rows in the background: this page shows the progress"
    return (
        f"{job['accepted']} enrolled, {job['already_enrolled']} already enrolled, "
        f"{job['rejected']} rejected"
    )


@router.get("/audit")
async def audit(request: Request, program_id: PathIdentifier, session: AsAdmin) -> Response:
    apis = apis_for(request, session)
    offset = offset_of(request.query_params)
    program = await apis.get("matcher", f"/programs/{program_id}")
    entries = await apis.get(
        "matcher", f"/programs/{program_id}/audit", limit=PAGE_SIZE, offset=offset
    )
    return page(
        request,
        "audit.html",
        session,
        program=program,
        entries=entries["items"],
        total=entries["total"],
        audit_pages=pages(entries["total"], offset),
    )
