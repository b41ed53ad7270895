"""Flash mentoring: offer slots in a flash program, list the open ones, withdraw an
offer, book one, cancel a booking. Its models live here, with their routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from services.sessions import flash
from services.sessions.dates import Day, Instant
from services.sessions.deps import (
    MEMBER,
    READER,
    Paging,
    Work,
    caller_of,
    idempotent_create,
    member_write,
    new_id,
)
from services.sessions.domain.flash import MAX_MINUTES, MAX_SLOTS, MIN_MINUTES, Slot
from services.sessions.schemas import Code
from shared.api import CONFLICT, Page
from shared.inputs import Name, PathIdentifier, StrictBody, Text, TimeZoneName

router = APIRouter(tags=["flash mentoring"])


class SlotIn(StrictBody):
    starts_at: Instant = Field(description="Any offset; stored in UTC.")
    minutes: int = Field(ge=MIN_MINUTES, le=MAX_MINUTES)


class OfferCreate(StrictBody):
    topic: Name
    time_zone: TimeZoneName = Field(description="IANA zone the host gives the slots in.")
    slots: Annotated[list[SlotIn], Field(min_length=1, max_length=MAX_SLOTS)]
    note: Annotated[Text, Field(max_length=2000)] | None = None


class BookingRead(BaseModel):
    id: str
    guest_id: str
    booked_at: datetime
    relationship_id: str
    meeting_id: str


class OfferRead(BaseModel):
    id: str
    program_id: str
    host_id: str
    topic: str
    note: str | None
    starts_at: datetime
    ends_at: datetime
    minutes: int
    time_zone: str
    local_starts_at: str = Field(description="The start in the host's zone.")
    viewer_time_zone: str
    viewer_starts_at: str = Field(description="The start in the caller's zone.")
    status: str
    booking: BookingRead | None = Field(description="Shown to the host and the guest only.")


class BookingCancel(StrictBody):
    reason: Code | None = None


async def _read(uow: Work, docs: list[Any]) -> list[dict[str, Any]]:
    viewer = caller_of(uow).subject
    viewer_zone = await flash.zone_of(uow, viewer)
    return [flash.offer_read(d, viewer, viewer_zone) for d in docs]


@router.post("/programs/{program_id}/offers", **idempotent_create(list[OfferRead]))
async def offer_slots(
    program_id: PathIdentifier,
    body: OfferCreate,
    uow: Work,
    response: Response,
    base_id: str = new_id("offer"),
) -> list[dict[str, Any]]:
    """Offer one or more slots on a topic (one offer each), in the caller's flash program."""
    slots = [Slot(s.starts_at, s.minutes) for s in body.slots]
    docs, created = await flash.offer(
        uow,
        program_id=program_id,
        base_id=base_id,
        topic=body.topic,
        time_zone=body.time_zone,
        slots=slots,
        note=body.note,
    )
    if not created:
        response.status_code = 200
    return await _read(uow, docs)


@router.get("/programs/{program_id}/offers", response_model=Page[OfferRead], dependencies=[READER])
async def list_open_offers(
    program_id: PathIdentifier,
    uow: Work,
    page: Paging,
    topic: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    on: Annotated[Day | None, Query(description="A day in the caller's zone.")] = None,
) -> dict[str, Any]:
    """Open slots not started yet, soonest first; by topic (any case) and day."""
    docs, total, viewer_zone = await flash.open_offers(
        uow, program_id=program_id, topic=topic, on=on, **dict(page)
    )
    viewer = caller_of(uow).subject
    return page.of([flash.offer_read(d, viewer, viewer_zone) for d in docs], total)


@router.get("/offers/{offer_id}", response_model=OfferRead, dependencies=[READER])
async def get_offer(offer_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    [read] = await _read(uow, [await flash.visible(uow, offer_id=offer_id)])
    return read


@router.post("/offers/{offer_id}/withdraw", **member_write(OfferRead))
async def withdraw_offer(offer_id: PathIdentifier, uow: Work) -> dict[str, Any]:
    """The host takes back an offer nobody booked."""
    [read] = await _read(uow, [await flash.withdraw(uow, offer_id=offer_id)])
    return read


@router.post(
    "/offers/{offer_id}/booking",
    status_code=201,
    response_model=OfferRead,
    dependencies=[MEMBER],
    responses={200: {"model": OfferRead, "description": "Already booked by you."}, **CONFLICT},
)
async def book_offer(offer_id: PathIdentifier, uow: Work, response: Response) -> dict[str, Any]:
    """Book an open slot (not your own): one meeting with the host, its reminders and
    feedback. Of two bookings at once one wins; the other is 409."""
    doc, created = await flash.book(uow, offer_id=offer_id)
    if not created:
        response.status_code = 200
    [read] = await _read(uow, [doc])
    return read


@router.post("/offers/{offer_id}/booking/cancel", **member_write(OfferRead))
async def cancel_booking(
    offer_id: PathIdentifier, body: BookingCancel, uow: Work
) -> dict[str, Any]:
    """Either side cancels before the slot starts; the meeting is cancelled with it."""
    doc = await flash.cancel_booking(uow, offer_id=offer_id, reason=body.reason)
    [read] = await _read(uow, [doc])
    return read
