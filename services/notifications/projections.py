"""What the notifier keeps of other services' facts, from their events.

* The contact directory, from ``hr.people.v1`` (``apply_contact_events``): only what
  delivery needs (name for salutation, e-mail, chat ids, time zone); it is never put on
  another topic. Departure marks the contact so nothing more is sent; erasure removes
  every trace of the person (``erasure.erase_person``), in event order with the upserts
  around it.
* Relationships, weekly schedules and admin flags, from ``sessions.v1``,
  ``mentoring.matches.v1`` and ``mentoring.programs.v1`` (``track``): who has an active
  relationship (started, paused, resumed, ended), as one journal schedule per person
  (someone in two relationships gets one prompt a week); each program's admins, as one
  digest schedule per (program, admin); what needs an admin's look: a flagged match
  until it ends or is resumed (kept), a relationship at risk or stalled until it is
  healthy again or ends. A new schedule has ``next_ms`` 0, "work out the next slot"
  (``periodic`` plans the slots). Replaying the topics leaves the same schedules and flags.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from services.notifications.domain.digest import (
    RELATIONSHIP_FLAGS,
    AdminFlag,
    admin_flag_changes,
)
from services.notifications.erasure import erase_person, is_erased
from services.notifications.store import ContactChanges
from services.notifications.store_schedules import TrackingWrites
from services.notifications.unit_of_work import Work
from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import ParsedEvent
from shared.mongo import Document


async def apply_contact_events(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Upserted, departed or erased: the contact directory, in event order, newest fact
    wins (a contact keeps the time of the event it was written from, ``as_of``, and an
    older upsert or departure changes nothing). With erasure final (a tombstone), applying
    any of these events again changes nothing, so they are not remembered as applied."""
    changes = ContactChanges()
    upserted = [e.data.person_id for e in events if isinstance(e.data, PersonUpserted)]
    erased = await is_erased(uow.store, upserted)
    held = await uow.store.contacts_as_of({_person_of(e) for e in events})
    for event in events:
        data, person_id = event.data, _person_of(event)
        if isinstance(data, PersonErased):
            changes.delete(person_id)
            await uow.store.write_contacts(changes)
            await erase_person(uow, person_id)
            erased.add(person_id)
            held.pop(person_id, None)
        elif held.get(person_id, "") > event.as_of:
            continue  # a late copy of an older fact
        elif isinstance(data, PersonUpserted):
            if person_id in erased:
                continue  # erasure is final: a late or replayed upsert brings nothing back
            changes.upsert(_contact(data, event.as_of))
            held[person_id] = event.as_of
        elif isinstance(data, PersonDeparted):
            changes.depart(person_id, event.as_of)
            held[person_id] = event.as_of
    await uow.store.write_contacts(changes)


def _person_of(event: ParsedEvent) -> str:
    return getattr(event.data, "person_id")  # noqa: B009 (every hr.people.v1 event has one)


def _contact(data: PersonUpserted, as_of: str) -> Document:
    return {
        "_id": data.person_id,
        "display_name": data.display_name,
        "email": data.email,
        "time_zone": data.time_zone,
        "slack_user_id": data.slack_user_id,
        "teams_user_id": data.teams_user_id,
        "active": True,
        "as_of": as_of,
    }


async def track(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Keep relationships, schedules and admin flags current with a batch of events."""
    await uow.store.write_tracking(await tracking_writes(uow, events))


async def tracking_writes(uow: Work, events: Sequence[ParsedEvent]) -> TrackingWrites:
    """What a batch changes in the relationships, schedules and admin flags, read and
    worked out but not yet written (``track`` writes it)."""
    tracked = _Tracking(await _members(uow, events))
    named = [p for e in events for p in _people_scheduled(e.data)]
    tracked.erased = await is_erased(uow.store, sorted(set(named)))
    for event in events:
        tracked.apply(event.data, event.envelope.time)
    return tracked.writes


def _people_scheduled(data: object) -> tuple[str, ...]:
    if isinstance(data, s.RelationshipStarted):
        return data.member_ids
    if isinstance(data, m.ProgramOpened):
        return data.admin_ids
    return ()


async def _members(uow: Work, events: Sequence[ParsedEvent]) -> dict[str, tuple[str, ...]]:
    """Members of the relationships a batch pauses, resumes or ends (events name only
    the relationship)."""
    changes = s.RelationshipPaused | s.RelationshipResumed | s.RelationshipEnded
    ids = sorted({e.data.relationship_id for e in events if isinstance(e.data, changes)})
    if not ids:
        return {}
    return await uow.store.relationship_members(ids)


class _Tracking:
    """What one batch of events changes, in event order (``TrackingWrites``)."""

    def __init__(self, members: dict[str, tuple[str, ...]]) -> None:
        self.members = members
        self.erased: set[str] = set()
        self.writes = TrackingWrites()

    def apply(self, data: object, at: datetime) -> None:
        writes = self.writes
        match data:
            case s.RelationshipStarted():
                kept = tuple(p for p in data.member_ids if p not in self.erased)
                self.members[data.relationship_id] = kept
                writes.start_relationship(data.relationship_id, data.program_id, list(kept))
                self._join(data.relationship_id)
            case s.RelationshipResumed():
                writes.set_active(data.relationship_id, True)
                self._join(data.relationship_id)
            case s.RelationshipPaused():
                writes.set_active(data.relationship_id, False)
                self._leave(data.relationship_id)
            case s.RelationshipEnded():
                writes.set_active(data.relationship_id, False)
                self._leave(data.relationship_id)
                self._clear(RELATIONSHIP_FLAGS, data.relationship_id)
            case s.HealthChanged():
                raised, cleared = admin_flag_changes(data.state)
                self._clear(cleared, data.relationship_id)
                if raised is not None:
                    writes.raise_flag(str(raised), data.relationship_id, data.program_id, at)
            case m.MatchFlagged():
                writes.raise_flag(str(AdminFlag.FLAGGED_MATCH), data.match_id, data.program_id, at)
            case m.MatchEnded() | m.MatchResumed():  # the admin looked: ended or kept
                self._clear((AdminFlag.FLAGGED_MATCH,), data.match_id)
            case m.ProgramOpened():  # and ProgramUpdated, its subclass
                admins = [a for a in dict.fromkeys(data.admin_ids) if a not in self.erased]
                writes.keep_digest_admins(data.program_id, admins)
            case m.ProgramClosed():
                writes.close_program(data.program_id)

    def _join(self, relationship_id: str) -> None:
        for person in self.members.get(relationship_id, ()):
            self.writes.join_journal(person, relationship_id)

    def _leave(self, relationship_id: str) -> None:
        for person in self.members.get(relationship_id, ()):
            self.writes.leave_journal(person, relationship_id)

    def _clear(self, flags: Iterable[AdminFlag], subject_id: str) -> None:
        self.writes.clear_flags((str(f) for f in flags), subject_id)
