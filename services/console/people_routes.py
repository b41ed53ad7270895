"""A program admin imports people from an HR export (the matcher is the HR gateway for
organisations without a Kafka HR feed): the file goes to the matcher as it is, and its
report (rows accepted, each rejected row with its line and why) is shown at once."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from services.console.api import ApiError
from services.console.bulk_views import MAX_UPLOAD_BYTES
from services.console.web import AsAdmin, apis_for, page

router = APIRouter(prefix="/admin/people")


async def _known(request: Request, session: AsAdmin) -> int:
    """How many people the matcher knows (one page of one, for its total)."""
    found = await apis_for(request, session).get("matcher", "/people", limit=1)
    return int(found["total"])


@router.get("")
async def people(request: Request, session: AsAdmin) -> Response:
    return page(request, "people.html", session, known=await _known(request, session))


@router.post("")
async def import_people(request: Request, session: AsAdmin) -> Response:
    upload = (await request.form()).get("file")
    error, report = "", None
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = "Choose a CSV file to upload"
    elif len(content := await upload.read(MAX_UPLOAD_BYTES + 1)) > MAX_UPLOAD_BYTES:
        error = "The file is over 20 MiB: split it"
    else:
        try:
            report = await apis_for(request, session).upload(
                "matcher", "/people/import/file", "file", upload.filename, content
            )
        except ApiError as exc:
            error = exc.message
    status = 200 if report else 422
    known = await _known(request, session)
    return page(request, "people.html", session, status, known=known, report=report, error=error)
