"""Specification of flash offers (domain): what may be offered, one booking per offer,
who may cancel and when, and the quiet one-off relationship a booking makes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.sessions.domain.errors import IllegalTransition, InvalidInput, NotAMember
from services.sessions.domain.flash import (
    MAX_SLOTS,
    Offer,
    OfferStatus,
    Slot,
    book_offer,
    end_flash_relationship,
    flash_relationship,
    offer_slots,
    release_booking,
    require_cancellable,
    withdraw_offer,
)
from services.sessions.domain.relationships import (
    EndReason,
    RelationshipKind,
    RelationshipStatus,
    end_relationship,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOST, GUEST, OTHER = "p-host", "p-guest", "p-other"


def offered(*slots: Slot, topic: str = "Kubernetes") -> list[Offer]:
    return offer_slots(
        offer_ids=[f"o-{n}" for n in range(len(slots))],
        program_id="flash-1",
        host_id=HOST,
        topic=topic,
        slots=slots,
        time_zone="Europe/Berlin",
        now=NOW,
    )


def slot(hours_ahead: float, minutes: int = 30) -> Slot:
    return Slot(NOW + timedelta(hours=hours_ahead), minutes)


def an_offer() -> Offer:
    [offer] = offered(slot(48))
    return offer


def test_each_slot_becomes_one_open_offer_of_the_host() -> None:
    offers = offered(slot(24), slot(48, 60), topic="  Go  ")
    assert [(o.id, o.status, o.host_id, o.topic) for o in offers] == [
        ("o-0", OfferStatus.OPEN, HOST, "Go"),
        ("o-1", OfferStatus.OPEN, HOST, "Go"),
    ]
    assert offers[1].ends_at == NOW + timedelta(hours=49)


@pytest.mark.parametrize("minutes", [14, 121])
def test_a_slot_lasts_between_a_quarter_hour_and_two_hours(minutes: int) -> None:
    with pytest.raises(InvalidInput, match="between 15 and 120 minutes"):
        offered(slot(24, minutes))


def test_a_slot_in_the_past_or_overlapping_another_is_refused() -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        offered(slot(0))
    with pytest.raises(InvalidInput, match="must not overlap"):
        offered(slot(24, 60), slot(24.5))
    with pytest.raises(InvalidInput, match=f"between 1 and {MAX_SLOTS} slots"):
        offered(*(slot(24 + n) for n in range(MAX_SLOTS + 1)))


def test_booking_takes_the_offer_once_and_names_its_relationship_and_meeting() -> None:
    booked = book_offer(an_offer(), guest_id=GUEST, now=NOW)
    assert booked.status is OfferStatus.BOOKED and booked.people == (HOST, GUEST)
    assert booked.booking is not None
    assert booked.booking.relationship_id == booked.booking.meeting_id == "flash-o-0.1"
    with pytest.raises(IllegalTransition, match="only an open offer can be booked"):
        book_offer(booked, guest_id=OTHER, now=NOW)


def test_nobody_books_their_own_offer_or_a_slot_that_started() -> None:
    with pytest.raises(InvalidInput, match="your own offer"):
        book_offer(an_offer(), guest_id=HOST, now=NOW)
    with pytest.raises(IllegalTransition, match="already started"):
        book_offer(an_offer(), guest_id=GUEST, now=NOW + timedelta(hours=48))


def test_only_the_host_withdraws_and_only_an_unbooked_offer() -> None:
    offer = an_offer()
    with pytest.raises(NotAMember):
        withdraw_offer(offer, by=GUEST, now=NOW)
    assert withdraw_offer(offer, by=HOST, now=NOW).status is OfferStatus.WITHDRAWN
    booked = book_offer(offer, guest_id=GUEST, now=NOW)
    with pytest.raises(IllegalTransition, match="cancel its booking first"):
        withdraw_offer(booked, by=HOST, now=NOW)


def test_either_side_cancels_before_the_start_and_nobody_else_or_later() -> None:
    booked = book_offer(an_offer(), guest_id=GUEST, now=NOW)
    for person in (HOST, GUEST):
        assert require_cancellable(booked, by=person, now=NOW) == booked.booking
    with pytest.raises(NotAMember):
        require_cancellable(booked, by=OTHER, now=NOW)
    with pytest.raises(IllegalTransition, match="once its slot has started"):
        require_cancellable(booked, by=GUEST, now=booked.starts_at)
    with pytest.raises(IllegalTransition, match="no booking to cancel"):
        require_cancellable(an_offer(), by=HOST, now=NOW)


def test_the_guests_cancel_reopens_the_offer_and_the_hosts_withdraws_it() -> None:
    booked = book_offer(an_offer(), guest_id=GUEST, now=NOW)
    reopened = release_booking(booked, by=GUEST, now=NOW)
    assert (reopened.status, reopened.booking) == (OfferStatus.OPEN, None)
    rebooked = book_offer(reopened, guest_id=OTHER, now=NOW)
    assert rebooked.booking is not None and rebooked.booking.id == "o-0.2"  # a new booking
    assert release_booking(booked, by=HOST, now=NOW).status is OfferStatus.WITHDRAWN


def test_a_booking_makes_a_quiet_one_off_relationship_that_ends_with_its_meeting() -> None:
    booked = book_offer(an_offer(), guest_id=GUEST, now=NOW)
    rel = flash_relationship(booked, zones={GUEST: "Asia/Tokyo"})
    assert rel.kind is RelationshipKind.FLASH and rel.cadence_days == 0
    assert [(m.person_id, m.time_zone) for m in rel.members] == [
        (HOST, "UTC"),
        (GUEST, "Asia/Tokyo"),
    ]
    held = end_flash_relationship(rel, cancelled=False, now=NOW)
    assert (held.status, held.end_reason) == (RelationshipStatus.ENDED, EndReason.MEETING_OVER)
    assert not held.closing_survey_requested
    cancelled = end_flash_relationship(rel, cancelled=True, now=NOW)
    assert cancelled.end_reason is EndReason.MEETING_CANCELLED
    with pytest.raises(IllegalTransition, match="already ended"):
        end_flash_relationship(held, cancelled=False, now=NOW)


def test_a_flash_relationship_is_never_ended_early_with_a_survey() -> None:
    booked = book_offer(an_offer(), guest_id=GUEST, now=NOW)
    rel = flash_relationship(booked, zones={})
    with pytest.raises(IllegalTransition, match="ends with its meeting"):
        end_relationship(rel, reason=EndReason.ENDED_EARLY, ended_by=HOST, now=NOW)
    other = replace(rel, kind=RelationshipKind.PEER_COACHING)
    with pytest.raises(IllegalTransition, match="only a flash relationship"):
        end_flash_relationship(other, cancelled=False, now=NOW)
