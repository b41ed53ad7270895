"""Flash mentoring: offering slots, listing the open ones, withdrawing, booking and
cancelling a booking (rules in ``domain/flash.py``).

Who: people enrolled in the flash program (the enrollments projection) offer and book;
its admins (and services) may list its offers. Anyone else is 404, so a program or an
offer does not leak. A booking is one versioned replace of the offer (of two concurrent
bookings one wins, the other meets ``ConcurrencyConflict``: 409), then the one-off
relationship and its meeting, whose ids derive from the booking's: the guest repeating
the booking finishes what a crash left undone. The meeting is scheduled like any other,
so ``sessions.meeting.scheduled`` drives the notifier's reminders and feedback request.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from services.sessions import meetings
from services.sessions.deps import administers, caller_of
from services.sessions.domain.flash import (
    Offer,
    Slot,
    book_offer,
    flash_relationship,
    offer_slots,
    require_cancellable,
    withdraw_offer,
)
from services.sessions.domain.meetings import schedule_meeting
from services.sessions.flash_endings import load_offer, offer_doc
from services.sessions.relationships import relationship_doc
from services.sessions.store import PEOPLE_ZONES
from services.sessions.store_flash import OFFERS
from services.sessions.unit_of_work import Work
from shared.errors import IllegalTransition
from shared.local_time import zone
from shared.mongo import Document, NotFound


async def _flash_program(uow: Work, program_id: str, *, acting: bool) -> Document:
    """The program, if the caller is enrolled in it (or, only to read, administers it);
    404 otherwise. To act (offer, book) it must be an open flash program (else 409)."""
    caller = caller_of(uow)
    program = await uow.store.program(program_id)
    enrolled = program is not None and await uow.store.enrolled(program_id, caller.subject)
    if program is None or not (enrolled or (not acting and administers(caller, program))):
        raise NotFound(f"program {program_id}")
    if program.get("kind") != "flash":
        raise IllegalTransition(f"program {program_id} is not a flash program")
    if acting and program.get("status") == "closed":
        raise IllegalTransition(f"program {program_id} is closed")
    return program


async def offer(
    uow: Work,
    *,
    program_id: str,
    base_id: str,
    topic: str,
    time_zone: str,
    slots: list[Slot],
    note: str | None,
) -> tuple[list[Document], bool]:
    """The caller offers ``slots`` on ``topic``: one offer each, ids ``<base_id>-<n>``;
    a repeated request (same ``base_id``) returns the first one's offers."""
    host = caller_of(uow).subject
    ids = [f"{base_id}-{n}" for n in range(1, len(slots) + 1)]
    earlier = await uow.store.by_id(OFFERS, ids)
    if earlier:
        if any(d["host_id"] != host for d in earlier.values()):
            raise NotFound(f"offer {base_id}")
        return [earlier[i] for i in ids if i in earlier], False
    await _flash_program(uow, program_id, acting=True)
    offers = offer_slots(
        offer_ids=ids,
        program_id=program_id,
        host_id=host,
        topic=topic,
        slots=slots,
        time_zone=time_zone,
        note=note,
        now=uow.now,
    )
    docs = [offer_doc(o) for o in offers]
    await uow.store.offers.insert_many(docs)
    return [{**d, "version": 1} for d in docs], True


async def open_offers(
    uow: Work, *, program_id: str, topic: str | None, on: date | None, limit: int, offset: int
) -> tuple[list[Document], int, str]:
    """Open offers not started yet, soonest first, on ``topic`` and starting on the day
    ``on`` in the caller's zone; returns (offers, total, the caller's zone)."""
    await _flash_program(uow, program_id, acting=False)
    viewer_zone = await zone_of(uow, caller_of(uow).subject)
    starts: dict[str, datetime] = {"$gt": uow.now}
    if on is not None:
        first = datetime.combine(on, time(0), tzinfo=zone(viewer_zone)).astimezone(UTC)
        last = datetime.combine(on + timedelta(days=1), time(0), tzinfo=zone(viewer_zone))
        starts = {"$gte": max(first, uow.now), "$lt": last.astimezone(UTC)}
    key = topic.strip().casefold() if topic else None
    docs, total = await uow.store.open_offers(
        program_id, topic_key=key, starts=starts, limit=limit, offset=offset
    )
    return docs, total, viewer_zone


async def zone_of(uow: Work, person_id: str) -> str:
    """The person's zone as HR last told it (UTC when HR never did)."""
    row = (await uow.store.by_id(PEOPLE_ZONES, [person_id])).get(person_id)
    return str((row or {}).get("time_zone") or "UTC")


async def visible(uow: Work, *, offer_id: str, acting: bool = False) -> Document:
    """An offer of a flash program the caller may read, or ``acting``, book (else 404)."""
    doc = await uow.store.offers.get(offer_id)
    if doc is None:
        raise NotFound(f"offer {offer_id}")
    try:
        await _flash_program(uow, doc["program_id"], acting=acting)
    except NotFound:
        raise NotFound(f"offer {offer_id}") from None
    return doc


async def _own_offer(uow: Work, offer_id: str) -> Document:
    """The offer, if the caller hosts it or booked it (else 404)."""
    doc = await uow.store.offers.get(offer_id)
    if doc is None or caller_of(uow).subject not in doc.get("people_ids", []):
        raise NotFound(f"offer {offer_id}")
    return doc


async def withdraw(uow: Work, *, offer_id: str) -> Document:
    """The host withdraws an unbooked offer."""
    doc = await _own_offer(uow, offer_id)
    withdrawn = withdraw_offer(load_offer(doc), by=caller_of(uow).subject, now=uow.now)
    return await uow.store.offers.replace(offer_doc(withdrawn, doc))


async def book(uow: Work, *, offer_id: str) -> tuple[Document, bool]:
    """The caller books the offer: (the offer, whether this request booked it)."""
    guest = caller_of(uow).subject
    doc = await visible(uow, offer_id=offer_id, acting=True)
    current = load_offer(doc)
    if current.booking is not None and current.booking.guest_id == guest:
        await _meet(uow, current)  # a repeated booking: finish what may be missing
        return doc, False
    booked = book_offer(current, guest_id=guest, now=uow.now)
    saved = await uow.store.offers.replace(offer_doc(booked, doc))  # the one winner
    await _meet(uow, booked)
    return saved, True


async def _meet(uow: Work, booked: Offer) -> Document:
    """The booking's one-off relationship and its one meeting (each once)."""
    zones = {p: await zone_of(uow, p) for p in booked.people}
    rel = flash_relationship(booked, zones=zones)
    rel_doc = {**relationship_doc(rel), "offer_id": booked.id}
    await uow.store.insert_new(uow.store.relationships, rel_doc)
    outcome = schedule_meeting(
        meeting_id=rel.id,
        relationship=rel,
        organiser_id=booked.host_id,
        starts_at=booked.starts_at,
        duration_minutes=booked.minutes,
        time_zone=booked.time_zone,
        now=uow.now,
    )
    saved, _ = await meetings.insert_meeting(uow, outcome)
    return saved


async def cancel_booking(uow: Work, *, offer_id: str, reason: str | None) -> Document:
    """Either side cancels the booking before the slot starts: its meeting is cancelled
    (announced as any meeting's), which ends the relationship and releases the offer
    (``flash_endings``)."""
    doc = await _own_offer(uow, offer_id)
    booking = require_cancellable(load_offer(doc), by=caller_of(uow).subject, now=uow.now)
    await meetings.cancel(uow, meeting_id=booking.meeting_id, reason=reason)
    return await uow.store.offers.require(offer_id)


def offer_read(doc: Document, viewer_id: str, viewer_zone: str) -> dict[str, Any]:
    """The offer as ``viewer_id`` sees it, its times in the host's and the viewer's zone;
    the booking only for the two people in it."""
    o = load_offer(doc)
    shown = o.booking is not None and viewer_id in o.people
    booking = o.booking if shown else None
    return {
        "id": o.id,
        "program_id": o.program_id,
        "host_id": o.host_id,
        "topic": o.topic,
        "note": o.note,
        "starts_at": o.starts_at,
        "ends_at": o.ends_at,
        "minutes": o.minutes,
        "time_zone": o.time_zone,
        "local_starts_at": o.starts_at.astimezone(zone(o.time_zone)).isoformat(),
        "viewer_time_zone": viewer_zone,
        "viewer_starts_at": o.starts_at.astimezone(zone(viewer_zone)).isoformat(),
        "status": o.status,
        "booking": None
        if booking is None
        else {
            "id": booking.id,
            "guest_id": booking.guest_id,
            "booked_at": booking.booked_at,
            "relationship_id": booking.relationship_id,
            "meeting_id": booking.meeting_id,
        },
    }
