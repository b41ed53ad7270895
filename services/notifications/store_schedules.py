"""The store's queries of relationships, weekly schedules and admin flags: part of
``store.NotificationsStore`` (a base class only to keep each module short)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from pymongo import DeleteMany, DeleteOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import Document
from shared.side_by_side import side_by_side

_Op = ReplaceOne | UpdateOne | DeleteOne | DeleteMany


def flag_id(flag: str, subject_id: str) -> str:
    return f"{flag}:{subject_id}"


def digest_schedule_id(program_id: str, admin_id: str) -> str:
    return f"{program_id}|{admin_id}"


class TrackingWrites:
    """The writes one batch of events makes to the relationships, the weekly schedules
    and the admin flags, per collection, in event order (``write_tracking`` sends them)."""

    def __init__(self) -> None:
        self.relationships: list[_Op] = []
        self.journals: list[_Op] = []
        self.digests: list[_Op] = []
        self.flags: list[_Op] = []

    def start_relationship(self, relationship_id: str, program_id: str, members: list[str]) -> None:
        doc = {"_id": relationship_id, "program_id": program_id, "member_ids": members}
        self.relationships.append(
            ReplaceOne({"_id": relationship_id}, {**doc, "active": True}, upsert=True)
        )

    def set_active(self, relationship_id: str, active: bool) -> None:
        self.relationships.append(UpdateOne({"_id": relationship_id}, {"$set": {"active": active}}))

    def join_journal(self, person_id: str, relationship_id: str) -> None:
        """The person's journal schedule counts the relationship (new: next slot to find)."""
        self.journals.append(
            UpdateOne(
                {"_id": person_id},
                {
                    "$addToSet": {"relationship_ids": relationship_id},
                    "$setOnInsert": {"next_ms": 0},
                },
                upsert=True,
            )
        )

    def leave_journal(self, person_id: str, relationship_id: str) -> None:
        self.journals.append(
            UpdateOne({"_id": person_id}, {"$pull": {"relationship_ids": relationship_id}})
        )

    def keep_digest_admins(self, program_id: str, admin_ids: list[str]) -> None:
        """One digest schedule per admin of the program, none for anyone else."""
        self.digests.append(DeleteMany({"program_id": program_id, "admin_id": {"$nin": admin_ids}}))
        for admin in admin_ids:
            self.digests.append(
                UpdateOne(
                    {"_id": digest_schedule_id(program_id, admin)},
                    {
                        "$set": {"program_id": program_id, "admin_id": admin},
                        "$setOnInsert": {"next_ms": 0},
                    },
                    upsert=True,
                )
            )

    def close_program(self, program_id: str) -> None:
        self.digests.append(DeleteMany({"program_id": program_id}))
        self.flags.append(DeleteMany({"program_id": program_id}))

    def raise_flag(self, flag: str, subject_id: str, program_id: str, since: datetime) -> None:
        """Raised once: a flag keeps the time it was first raised."""
        fields = {"program_id": program_id, "flag": flag, "subject_id": subject_id}
        self.flags.append(
            UpdateOne(
                {"_id": flag_id(flag, subject_id)},
                {"$setOnInsert": {**fields, "since": since}},
                upsert=True,
            )
        )

    def clear_flags(self, flags: Iterable[str], subject_id: str) -> None:
        self.flags.extend(DeleteOne({"_id": flag_id(f, subject_id)}) for f in flags)


class ScheduleQueries:
    db: AsyncDatabase[Document]
    relationships: AsyncCollection[Document]
    journal_schedules: AsyncCollection[Document]
    digest_schedules: AsyncCollection[Document]
    admin_flags: AsyncCollection[Document]

    async def relationship_members(self, ids: list[str]) -> dict[str, tuple[str, ...]]:
        if not ids:
            return {}
        found = await self.relationships.find({"_id": {"$in": ids}}).to_list()
        return {d["_id"]: tuple(d["member_ids"]) for d in found}

    async def write_tracking(self, writes: TrackingWrites) -> None:
        """A batch's writes to each projection, in event order within each; the projections
        side by side (one round trip, not four). All of them end before an error is
        raised, so a retry never overlaps a write still under way."""
        await side_by_side(
            *(
                collection.bulk_write(list(ops), ordered=True)
                for collection, ops in (
                    (self.relationships, writes.relationships),
                    (self.journal_schedules, writes.journals),
                    (self.digest_schedules, writes.digests),
                    (self.admin_flags, writes.flags),
                )
                if ops
            )
        )

    async def due_schedules(self, collection: str, *, now_ms: int, limit: int) -> list[Document]:
        """Journal or digest schedules whose ``next_ms`` has passed."""
        return await self.db[collection].find({"next_ms": {"$lte": now_ms}}).limit(limit).to_list()

    async def move_schedules(self, collection: str, moves: Mapping[str, tuple[int, int]]) -> None:
        """Set each schedule's next slot (key: (old, new)), unless something changed it
        meanwhile (a relationship starting again resets it to 0: the next sweep works
        it out)."""
        if moves:
            await self.db[collection].bulk_write(
                [
                    UpdateOne({"_id": key, "next_ms": old}, {"$set": {"next_ms": new}})
                    for key, (old, new) in moves.items()
                ],
                ordered=False,
            )

    async def delete_idle_journal_schedules(self, idle: Mapping[str, int]) -> None:
        """Delete each person's schedule read at ``next_ms`` with no relationship left,
        unless one started meanwhile."""
        if idle:
            await self.journal_schedules.bulk_write(
                [
                    DeleteOne({"_id": p, "next_ms": ms, "relationship_ids": {"$size": 0}})
                    for p, ms in idle.items()
                ],
                ordered=False,
            )

    async def program_admins(self, program_ids: list[str]) -> dict[str, tuple[str, ...]]:
        """The admins of each open program (one digest schedule per admin), by program."""
        found = await self.digest_schedules.find({"program_id": {"$in": program_ids}}).to_list()
        admins: dict[str, tuple[str, ...]] = {}
        for doc in sorted(found, key=lambda d: d["admin_id"]):
            admins[doc["program_id"]] = (*admins.get(doc["program_id"], ()), doc["admin_id"])
        return admins

    async def admin_flags_of(self, program_ids: list[str]) -> list[Document]:
        return await self.admin_flags.find({"program_id": {"$in": program_ids}}).to_list()
