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
  until it ends, a relationship at risk or stalled until it is healthy again or ends.
  A new schedule has ``next_ms`` 0, "work out the next slot" (``periodic`` plans the
  slots). Replaying the topics leaves the same schedules and flags.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from pymongo import DeleteMany, DeleteOne, ReplaceOne, UpdateOne

from services.notifications.domain.digest import (
    RELATIONSHIP_FLAGS,
    AdminFlag,
    admin_flag_changes,
)
from services.notifications.erasure import erase_person, is_erased
from services.notifications.unit_of_work import Work
from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import ParsedEvent

_Op = ReplaceOne | UpdateOne | DeleteOne | DeleteMany


async def apply_contact_events(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Upserted, departed or erased: the contact directory, in event order."""
    operations: list[_Op] = []
    upserted = [e.data.person_id for e in events if isinstance(e.data, PersonUpserted)]
    erased = await is_erased(uow.store, upserted)
    for event in events:
        data = event.data
        if isinstance(data, PersonUpserted):
            if data.person_id in erased:
                continue  # erasure is final: a late or replayed upsert brings nothing back
            contact = {
                "_id": data.person_id,
                "display_name": data.display_name,
                "email": data.email,
                "time_zone": data.time_zone,
                "slack_user_id": data.slack_user_id,
                "teams_user_id": data.teams_user_id,
                "active": True,
            }
            operations.append(ReplaceOne({"_id": data.person_id}, contact, upsert=True))
        elif isinstance(data, PersonDeparted):
            operations.append(UpdateOne({"_id": data.person_id}, {"$set": {"active": False}}))
        elif isinstance(data, PersonErased):
            operations.append(DeleteOne({"_id": data.person_id}))
            await uow.store.write_contacts(operations)
            operations.clear()
            await erase_person(uow, data.person_id)
            erased.add(data.person_id)
    await uow.store.write_contacts(operations)


def flag_id(flag: AdminFlag, subject_id: str) -> str:
    return f"{flag}:{subject_id}"


def digest_schedule_id(program_id: str, admin_id: str) -> str:
    return f"{program_id}|{admin_id}"


async def track(uow: Work, events: Sequence[ParsedEvent]) -> None:
    """Keep relationships, schedules and admin flags current with a batch of events."""
    tracked = _Tracking(await _members(uow, events))
    named = [p for e in events for p in _people_scheduled(e.data)]
    tracked.erased = await is_erased(uow.store, sorted(set(named)))
    for event in events:
        tracked.apply(event.data, event.envelope.time)
    await uow.store.write_tracking(
        relationships=tracked.relationships,
        journals=tracked.journals,
        digests=tracked.digests,
        flags=tracked.flags,
    )


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
    """The writes one batch of events makes, per collection, in event order."""

    def __init__(self, members: dict[str, tuple[str, ...]]) -> None:
        self.members = members
        self.erased: set[str] = set()
        self.relationships: list[_Op] = []
        self.journals: list[_Op] = []
        self.digests: list[_Op] = []
        self.flags: list[_Op] = []

    def apply(self, data: object, at: datetime) -> None:
        match data:
            case s.RelationshipStarted():
                kept = tuple(p for p in data.member_ids if p not in self.erased)
                self.members[data.relationship_id] = kept
                doc = {
                    "_id": data.relationship_id,
                    "program_id": data.program_id,
                    "member_ids": list(kept),
                    "active": True,
                }
                self.relationships.append(ReplaceOne({"_id": doc["_id"]}, doc, upsert=True))
                self._join(data.relationship_id)
            case s.RelationshipResumed():
                self._set_active(data.relationship_id, True)
                self._join(data.relationship_id)
            case s.RelationshipPaused():
                self._set_active(data.relationship_id, False)
                self._leave(data.relationship_id)
            case s.RelationshipEnded():
                self._set_active(data.relationship_id, False)
                self._leave(data.relationship_id)
                self._clear(RELATIONSHIP_FLAGS, data.relationship_id)
            case s.HealthChanged():
                raised, cleared = admin_flag_changes(data.state)
                self._clear(cleared, data.relationship_id)
                if raised is not None:
                    self._raise(raised, data.relationship_id, data.program_id, at)
            case m.MatchFlagged():
                self._raise(AdminFlag.FLAGGED_MATCH, data.match_id, data.program_id, at)
            case m.MatchEnded():
                self._clear((AdminFlag.FLAGGED_MATCH,), data.match_id)
            case m.ProgramOpened():  # and ProgramUpdated, its subclass
                admins = [a for a in dict.fromkeys(data.admin_ids) if a not in self.erased]
                self.digests.append(
                    DeleteMany({"program_id": data.program_id, "admin_id": {"$nin": admins}})
                )
                for admin in admins:
                    self.digests.append(
                        UpdateOne(
                            {"_id": digest_schedule_id(data.program_id, admin)},
                            {
                                "$set": {"program_id": data.program_id, "admin_id": admin},
                                "$setOnInsert": {"next_ms": 0},
                            },
                            upsert=True,
                        )
                    )
            case m.ProgramClosed():
                self.digests.append(DeleteMany({"program_id": data.program_id}))
                self.flags.append(DeleteMany({"program_id": data.program_id}))

    def _set_active(self, relationship_id: str, active: bool) -> None:
        self.relationships.append(UpdateOne({"_id": relationship_id}, {"$set": {"active": active}}))

    def _join(self, relationship_id: str) -> None:
        for person in self.members.get(relationship_id, ()):
            self.journals.append(
                UpdateOne(
                    {"_id": person},
                    {
                        "$addToSet": {"relationship_ids": relationship_id},
                        "$setOnInsert": {"next_ms": 0},
                    },
                    upsert=True,
                )
            )

    def _leave(self, relationship_id: str) -> None:
        for person in self.members.get(relationship_id, ()):
            self.journals.append(
                UpdateOne({"_id": person}, {"$pull": {"relationship_ids": relationship_id}})
            )

    def _raise(self, flag: AdminFlag, subject_id: str, program_id: str, at: datetime) -> None:
        fields = {"program_id": program_id, "flag": str(flag), "subject_id": subject_id}
        self.flags.append(
            UpdateOne(
                {"_id": flag_id(flag, subject_id)},
                {"$setOnInsert": {**fields, "since": at}},
                upsert=True,
            )
        )

    def _clear(self, flags: Iterable[AdminFlag], subject_id: str) -> None:
        self.flags.extend(DeleteOne({"_id": flag_id(f, subject_id)}) for f in flags)
