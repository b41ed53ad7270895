"""An HR analyst's (or a program admin's) program aggregates: charts and CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import ApiError
from services.console.report_views import (
    PERIODS,
    aggregates_csv,
    cell_text,
    charts,
    pulse_rows,
    report_query,
)
from services.console.session import Session
from services.console.views import FormError
from services.console.web import AsReporter, apis_for, page

router = APIRouter(prefix="/hr")


async def _read(request: Request, session: Session, program_id: str) -> tuple[dict[str, str], Any]:
    query = report_query(dict(request.query_params), datetime.now(UTC).date())
    path = f"/hr/programs/{program_id}/aggregates"
    return query, await apis_for(request, session).get("sessions", path, **query)


@router.get("")
async def reports(request: Request, session: AsReporter) -> Response:
    program_id = request.query_params.get("program_id", "").strip()
    if not program_id:
        return page(request, "reports.html", session, program_id="", periods=PERIODS)
    try:
        query, aggregates = await _read(request, session, program_id)
    except (FormError, ApiError) as exc:
        return page(
            request, "reports.html", session, program_id=program_id, periods=PERIODS, error=str(exc)
        )
    return page(
        request,
        "reports.html",
        session,
        program_id=program_id,
        periods=PERIODS,
        query=query,
        charts=charts(aggregates),
        survey=aggregates["survey"],
        pulse=pulse_rows(aggregates["pulse"]) if "pulse" in aggregates else None,
        pulse_answers=cell_text(aggregates["pulse"]["answers"]) if "pulse" in aggregates else "",
    )


@router.get("/programs/{program_id}/aggregates.csv")
async def export(request: Request, program_id: str, session: AsReporter) -> Response:
    try:
        query, aggregates = await _read(request, session, program_id)
    except FormError as exc:
        return Response(str(exc), status_code=422, media_type="text/plain")
    name = f"aggregates-{program_id}-{query['first_day']}-{query['last_day']}.csv"
    return Response(
        aggregates_csv(aggregates),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
