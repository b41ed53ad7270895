"""What a flash booking's meeting ending does (``meetings._transition`` calls it after
every lifecycle move): held or missed, the one-off relationship ends; cancelled, it ends
and the offer is released (open again after the guest's cancel, withdrawn after the
host's). Quiet: no relationship event, no closing survey; the meeting's own events
(and the notifier's feedback request) are the only follow-up. Kept apart from
``flash`` so that ``meetings`` can call it without importing the booking code.
"""

from __future__ import annotations

from services.sessions.domain.errors import DomainError, IllegalTransition
from services.sessions.domain.flash import Offer, end_flash_relationship, release_booking
from services.sessions.domain.meetings import MeetingStatus
from services.sessions.domain.relationships import RelationshipKind, RelationshipStatus
from services.sessions.mapping import from_doc, stored
from services.sessions.relationships import load_relationship, relationship_doc
from services.sessions.unit_of_work import Work
from shared.logging import get_logger
from shared.mongo import Document

log = get_logger(__name__)


def load_offer(doc: Document) -> Offer:
    return from_doc(Offer, doc)


def offer_doc(offer: Offer, base: Document | None = None) -> Document:
    """The stored form: the offer, its topic's key (case-insensitive search) and the
    people it names (queries, erasure)."""
    return stored(offer, base, topic_key=offer.topic.casefold(), people_ids=list(offer.people))


async def refuse_moving(uow: Work, meeting: Document) -> None:
    """A flash meeting keeps the slot that was booked (409): the booking is cancelled
    and another slot booked instead."""
    doc = await uow.store.relationships.get(meeting["relationship_id"])
    if doc is not None and load_relationship(doc).kind is RelationshipKind.FLASH:
        raise IllegalTransition(
            "a flash meeting keeps its booked slot: cancel the booking and book another"
        )


async def after_meeting(uow: Work, meeting: Document) -> None:
    """End the flash relationship of ``meeting`` once the meeting is no longer scheduled
    (other relationships: nothing to do)."""
    status = MeetingStatus(meeting["status"])
    if status is MeetingStatus.SCHEDULED:
        return
    doc = await uow.store.relationships.get(meeting["relationship_id"])
    if doc is None:
        return
    rel = load_relationship(doc)
    if rel.kind is not RelationshipKind.FLASH or rel.status is RelationshipStatus.ENDED:
        return
    cancelled = status is MeetingStatus.CANCELLED
    ended = end_flash_relationship(rel, cancelled=cancelled, now=uow.now)
    await uow.store.relationships.replace(
        {**relationship_doc(ended, doc), "offer_id": doc["offer_id"]}
    )
    if cancelled:
        await _release_offer(uow, doc["offer_id"], by=meeting["cancelled_by"])


async def _release_offer(uow: Work, offer_id: str, *, by: str) -> None:
    doc = await uow.store.offers.get(offer_id)
    if doc is None:  # erased with its host
        return
    try:
        released = release_booking(load_offer(doc), by=by, now=uow.now)
    except DomainError as exc:  # the slot had started: the offer stays as it was
        log.info("flash_offer_not_released", offer_id=offer_id, reason=exc.reason)
        return
    await uow.store.offers.replace(offer_doc(released, doc))
