"""The junior's private pulse check: asked after meetings held, answered by the junior
alone, reported to HR only as suppressed counts and means (``domain/pulses.py``).

A pulse exists for one person: to anyone else (the senior member, other people, the
program's admins) it does not exist, 404. Its note is never read for a report.
"""

from __future__ import annotations

from datetime import date

from services.sessions.deps import caller_of, is_member
from services.sessions.domain.meetings import MeetingStatus
from services.sessions.domain.pulses import (
    Pulse,
    PulseAnswer,
    answer_pulse,
    junior_of,
    pulse_report,
    pulses_due,
)
from services.sessions.mapping import from_doc, stored
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship
from services.sessions.store import MEETINGS, PULSES
from services.sessions.unit_of_work import Work
from shared.mongo import Document, NotFound

#: What counting a relationship's meetings leaves unread: what its members wrote.
MEETING_TEXT = ("agenda", "shared_notes", "private_notes")


async def request_after_meeting(uow: Work, *, relationship_id: str) -> int:
    """After a meeting held: the pulse checks the relationship now owes its junior member
    (none for other kinds); returns how many were new."""
    doc = await uow.store.relationships.get(relationship_id)
    rel = None if doc is None else load_relationship(doc)
    if rel is None or junior_of(rel) is None:
        return 0
    meetings = await uow.store.to_count(MEETINGS, [relationship_id], hidden=MEETING_TEXT)
    held = sum(1 for m in meetings if m["status"] == MeetingStatus.COMPLETED.value)
    due = pulses_due(rel, meetings_held=held, now=uow.now)
    docs = [stage(uow, stored(o.state), o.events) for o in due]
    if not docs:
        return 0
    existed = await uow.store.pulses.insert_many(docs)
    return len(docs) - len(existed)


def load_pulse(doc: Document) -> Pulse:
    return from_doc(Pulse, doc)


async def own_pulse(uow: Work, pulse_id: str) -> Document:
    """The pulse, if it is the calling employee's own; otherwise 404."""
    doc = await uow.store.pulses.get(pulse_id)
    if doc is None or not is_member(caller_of(uow), [doc["person_id"]]):
        raise NotFound(f"pulse {pulse_id}")
    return doc


async def mine(uow: Work) -> list[Pulse]:
    """The caller's pulse checks, open and answered, newest first."""
    docs = await uow.store.find_all(PULSES, {"person_id": caller_of(uow).subject})
    return sorted((load_pulse(d) for d in docs), key=lambda p: p.requested_at, reverse=True)


async def answer(uow: Work, *, pulse_id: str, answer: PulseAnswer) -> Pulse:
    """The junior's answer to their own pulse, once (a second answer is 409)."""
    doc = await own_pulse(uow, pulse_id)
    outcome = answer_pulse(load_pulse(doc), answer, now=uow.now)
    new = stage(uow, stored(outcome.state, doc), outcome.events)
    new = uow.audit(new, "pulse.answered", target=f"relationship:{doc['relationship_id']}")
    await uow.store.pulses.replace(new)
    return outcome.state


async def report(
    uow: Work, *, relationship_ids: list[str], first_day: date, last_day: date
) -> dict[str, object]:
    """The pulse cells of a program's HR report (the notes are never loaded)."""
    docs = await uow.store.to_count(PULSES, relationship_ids, hidden=["answer.note"])
    return pulse_report([load_pulse(d) for d in docs], first_day=first_day, last_day=last_day)
