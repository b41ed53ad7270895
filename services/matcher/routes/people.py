"""People: bulk import (JSON body or CSV/JSON file) and the projection, read-only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Query, UploadFile, status

from services.matcher import people
from services.matcher.deps import ADMIN, Paging, Producer, Work
from services.matcher.routes.reads import as_page
from services.matcher.routes.uploads import too_many_rows, upload_text
from services.matcher.schemas import ImportResult, PersonRead
from shared.api import THROTTLED, Page, unprocessable
from shared.inputs import Identifier, PathIdentifier
from shared.limits import rate_limited

router = APIRouter(prefix="/people", tags=["people"])

IMPORTS = rate_limited("import", per_minute=60, burst=20)
#: What both import routes answer: 202 with the per-row report, for admins, throttled.
IMPORT_ROUTE: dict[str, Any] = {
    "status_code": status.HTTP_202_ACCEPTED,
    "response_model": ImportResult,
    "dependencies": [ADMIN, IMPORTS],
    "responses": THROTTLED,
}


@router.post(
    "/import",
    summary="Import people (JSON body); good rows are applied, bad rows reported.",
    **IMPORT_ROUTE,
)
async def import_people(
    uow: Work,
    producer: Producer,
    rows: Annotated[
        list[dict[str, Any]],
        Body(
            max_length=people.MAX_ROWS_PER_REQUEST,
            examples=[
                [
                    {
                        "person_id": "p-000042",
                        "display_name": "Ada Example",
                        "email": "ada@example.com",
                        "level": 3,
                        "department": "Engineering",
                        "time_zone": "Europe/Berlin",
                        "languages": ["en", "de"],
                        "manager_id": "p-000007",
                        "hire_date": "2023-04-01",
                        "skills": [{"name": "generative-ai", "proficiency": 4}],
                    }
                ]
            ],
        ),
    ],
    first_row: Annotated[
        int, Query(ge=1, le=10_000_000, description="Row number of the first item.")
    ] = 1,
) -> dict[str, object]:
    return await people.import_people(uow, producer, rows=rows, first_row=first_row)


@router.post(
    "/import/file", summary="Import people from a CSV (header row) or JSON file.", **IMPORT_ROUTE
)
async def import_people_file(
    uow: Work,
    producer: Producer,
    file: Annotated[UploadFile, File(description="CSV or JSON")],
) -> dict[str, object]:
    text = await upload_text(file)
    try:
        is_json = (file.filename or "").lower().endswith(".json") or text.lstrip()[:1] in "[{"
        rows = people.parse_json(text) if is_json else people.parse_csv(text)
    except ValueError as exc:
        raise unprocessable("file", f"cannot read {file.filename}: {exc}") from exc
    if len(rows) > people.MAX_ROWS_PER_REQUEST:
        raise too_many_rows(len(rows), people.MAX_ROWS_PER_REQUEST)
    first_row = 2 if not is_json else 1
    return await people.import_people(uow, producer, rows=rows, first_row=first_row)


@router.get("", response_model=Page[PersonRead], dependencies=[ADMIN])
async def list_people(
    uow: Work,
    page: Paging,
    department: Annotated[str | None, Query(max_length=200)] = None,
    person_id: Annotated[
        list[Identifier] | None,
        Query(
            max_length=200,
            description="Only these people (repeat the parameter, at most 200): one call "
            "for the names of a page of pairs.",
        ),
    ] = None,
) -> dict[str, object]:
    found = await people.list_people(uow, department=department, ids=person_id, page=page)
    return as_page(found, page, _person_read)


@router.get("/{person_id}", response_model=PersonRead)
async def get_person(person_id: PathIdentifier, uow: Work) -> dict[str, object]:
    """A person's own profile, or anyone's for admins."""
    return _person_read(await people.get_person(uow, person_id=person_id))


def _person_read(doc: dict[str, Any]) -> dict[str, object]:
    return {"person_id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
