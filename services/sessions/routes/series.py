"""Recurring series: create, read, cancel, calendar."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response

from services.sessions import series
from services.sessions.deps import (
    READER,
    NewIn,
    Work,
    idempotent_create,
    in_relationship,
    member_write,
)
from services.sessions.routes.meetings import CALENDAR_FILE, calendar_file
from services.sessions.schemas import SeriesCancel, SeriesCreate, SeriesRead
from shared.inputs import PathIdentifier, as_time

router = APIRouter(tags=["meetings"])
#: Creating a series is addressed through the relationship (listed with its routes).
scheduling = APIRouter(prefix="/relationships", tags=["relationships"])


@router.get("/series/{series_id}", response_model=SeriesRead, dependencies=[READER])
async def get_series(series_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    """A series of the caller's, or of a program they administer (no content in it)."""
    return series.series_read(await series.visible(uow, series_id=series_id))


@router.post("/series/{series_id}/cancel", **member_write(SeriesRead))
async def cancel_series(series_id: PathIdentifier, body: SeriesCancel, uow: Work) -> dict[str, Any]:
    return series.series_read(await series.cancel(uow, series_id=series_id, reason=body.reason))


@router.get("/series/{series_id}/invite.ics", **CALENDAR_FILE)
async def series_calendar(series_id: PathIdentifier, uow: Work) -> Response:
    return calendar_file(await series.invitation(uow, series_id=series_id))


@scheduling.post("/{relationship_id}/series", **idempotent_create(SeriesRead))
async def create_series(
    body: SeriesCreate,
    uow: Work,
    new: Annotated[NewIn, in_relationship("series")],
) -> dict[str, Any]:
    """A recurring series every N weeks until the planned end (or ``until``)."""
    rule = {**dict(body), "local_time": as_time(body.local_time)}
    doc, ids, created = await series.create(
        uow, series_id=new.id, relationship_id=new.relationship_id, **rule
    )
    new.answered(created=created)
    return series.series_read(doc, ids)
