"""Flash mentoring: people offer one-off time slots on a topic, another person books one.

An offer moves open -> booked (one booking at a time) and open -> withdrawn. A booking
is cancellable by either side until the slot starts: cancelled by the guest, the offer
opens again for someone else; cancelled by the host, it is withdrawn. A booking makes
one meeting, inside a one-off relationship of kind ``flash`` (meetings belong to a
relationship here); that relationship has no rhythm and no announcements of its own,
and ends when its one meeting is held, missed or cancelled (``end_flash_relationship``).

Pure: time comes in as ``now``; refusals are ``shared.errors`` (422 / 409).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from shared.local_time import require_utc, zone

from .errors import IllegalTransition, InvalidInput, NotAMember
from .relationships import (
    EndReason,
    Member,
    MemberRole,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
)

__all__ = [
    "MIN_MINUTES",
    "MAX_MINUTES",
    "MAX_SLOTS",
    "OfferStatus",
    "Slot",
    "Booking",
    "Offer",
    "offer_slots",
    "withdraw_offer",
    "book_offer",
    "release_booking",
    "require_cancellable",
    "flash_relationship",
    "end_flash_relationship",
]

MIN_MINUTES, MAX_MINUTES = 15, 120
#: Slots one request may offer at most.
MAX_SLOTS = 20


class OfferStatus(StrEnum):
    OPEN = "open"
    BOOKED = "booked"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    minutes: int


@dataclass(frozen=True)
class Booking:
    """Who booked the offer, and the relationship and meeting the booking made (their
    ids derive from the booking's, so a retried booking finds them again)."""

    id: str
    guest_id: str
    booked_at: datetime

    @property
    def relationship_id(self) -> str:
        return f"flash-{self.id}"

    @property
    def meeting_id(self) -> str:
        return f"flash-{self.id}"


@dataclass(frozen=True)
class Offer:
    """A slot a person (the host) offers on a topic, in their time zone."""

    id: str
    program_id: str
    host_id: str
    topic: str
    starts_at: datetime
    minutes: int
    time_zone: str
    note: str | None = None
    status: OfferStatus = OfferStatus.OPEN
    booking: Booking | None = None
    bookings_made: int = 0
    updated_at: datetime | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def people(self) -> tuple[str, ...]:
        """The host and, while booked, the guest."""
        return (self.host_id,) + ((self.booking.guest_id,) if self.booking else ())


def _check_slots(slots: Sequence[Slot], now: datetime) -> None:
    if not 1 <= len(slots) <= MAX_SLOTS:
        raise InvalidInput(f"offer between 1 and {MAX_SLOTS} slots at a time")
    for slot in slots:
        if not MIN_MINUTES <= slot.minutes <= MAX_MINUTES:
            raise InvalidInput(f"a slot lasts between {MIN_MINUTES} and {MAX_MINUTES} minutes")
        if require_utc(slot.starts_at, "start time") <= now:
            raise InvalidInput("a slot must start in the future")
    ordered = sorted(slots, key=lambda s: s.starts_at)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.starts_at + timedelta(minutes=before.minutes) > after.starts_at:
            raise InvalidInput("the slots of one offer must not overlap")


def offer_slots(
    *,
    offer_ids: Sequence[str],
    program_id: str,
    host_id: str,
    topic: str,
    slots: Sequence[Slot],
    time_zone: str,
    now: datetime,
    note: str | None = None,
) -> list[Offer]:
    """One open offer per slot (``offer_ids`` in the slots' order)."""
    now = require_utc(now, "now")
    zone(time_zone)
    if not topic.strip():
        raise InvalidInput("an offer names its topic")
    _check_slots(slots, now)
    return [
        Offer(
            id=offer_id,
            program_id=program_id,
            host_id=host_id,
            topic=topic.strip(),
            starts_at=slot.starts_at,
            minutes=slot.minutes,
            time_zone=time_zone,
            note=note,
            updated_at=now,
        )
        for offer_id, slot in zip(offer_ids, slots, strict=True)
    ]


def withdraw_offer(offer: Offer, *, by: str, now: datetime) -> Offer:
    """The host takes back an offer nobody booked."""
    if by != offer.host_id:
        raise NotAMember(f"only the host withdraws offer {offer.id}")
    if offer.status is OfferStatus.BOOKED:
        raise IllegalTransition("a booked offer cannot be withdrawn: cancel its booking first")
    if offer.status is OfferStatus.WITHDRAWN:
        raise IllegalTransition("this offer is already withdrawn")
    return replace(offer, status=OfferStatus.WITHDRAWN, updated_at=require_utc(now, "now"))


def book_offer(offer: Offer, *, guest_id: str, now: datetime) -> Offer:
    """Someone other than the host takes an open slot that has not started."""
    now = require_utc(now, "now")
    if guest_id == offer.host_id:
        raise InvalidInput("you cannot book your own offer")
    if offer.status is not OfferStatus.OPEN:
        raise IllegalTransition(f"this offer is {offer.status}: only an open offer can be booked")
    if offer.starts_at <= now:
        raise IllegalTransition("this slot has already started")
    made = offer.bookings_made + 1
    booking = Booking(id=f"{offer.id}.{made}", guest_id=guest_id, booked_at=now)
    return replace(
        offer, status=OfferStatus.BOOKED, booking=booking, bookings_made=made, updated_at=now
    )


def require_cancellable(offer: Offer, *, by: str, now: datetime) -> Booking:
    """The booking either side may still cancel (before the slot starts)."""
    if offer.booking is None or offer.status is not OfferStatus.BOOKED:
        raise IllegalTransition("this offer has no booking to cancel")
    if by not in offer.people:
        raise NotAMember(f"person {by} takes no part in offer {offer.id}")
    if require_utc(now, "now") >= offer.starts_at:
        raise IllegalTransition("a booking cannot be cancelled once its slot has started")
    return offer.booking


def release_booking(offer: Offer, *, by: str, now: datetime) -> Offer:
    """The booked meeting was cancelled: the guest's cancel opens the offer again, the
    host's withdraws it (they no longer give that slot)."""
    booking = require_cancellable(offer, by=by, now=now)
    status = OfferStatus.OPEN if by == booking.guest_id else OfferStatus.WITHDRAWN
    return replace(offer, status=status, booking=None, updated_at=require_utc(now, "now"))


def flash_relationship(offer: Offer, *, zones: dict[str, str]) -> Relationship:
    """The one-off relationship of a booked offer: host and guest as peers, no cadence
    (``cadence_days`` 0: nothing expects a next meeting)."""
    if offer.booking is None:
        raise IllegalTransition("only a booked offer makes a relationship")
    members = tuple(Member(p, MemberRole.PEER, zones.get(p, "UTC")) for p in offer.people)
    return Relationship(
        id=offer.booking.relationship_id,
        program_id=offer.program_id,
        match_id="",
        kind=RelationshipKind.FLASH,
        members=members,
        started_on=offer.booking.booked_at.date(),
        planned_end_on=offer.ends_at.date(),
        cadence_days=0,
    )


def end_flash_relationship(rel: Relationship, *, cancelled: bool, now: datetime) -> Relationship:
    """Its one meeting is over or cancelled: the relationship ends, quietly (no event,
    no closing survey: the meeting's feedback request is the only follow-up)."""
    if rel.kind is not RelationshipKind.FLASH:
        raise IllegalTransition("only a flash relationship ends with its meeting")
    if rel.status is RelationshipStatus.ENDED:
        raise IllegalTransition("this relationship has already ended")
    reason = EndReason.MEETING_CANCELLED if cancelled else EndReason.MEETING_OVER
    return replace(
        rel,
        status=RelationshipStatus.ENDED,
        ended_on=require_utc(now, "now").date(),
        end_reason=reason,
    )
