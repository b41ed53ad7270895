"""The store's queries of relationships, weekly schedules and admin flags: part of
``store.NotificationsStore`` (a base class only to keep each module short)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import DeleteOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import Document


class ScheduleQueries:
    db: AsyncDatabase[Document]
    relationships: AsyncCollection[Document]
    journal_schedules: AsyncCollection[Document]
    digest_schedules: AsyncCollection[Document]
    admin_flags: AsyncCollection[Document]

    async def relationship_members(self, ids: list[str]) -> dict[str, tuple[str, ...]]:
        found = await self.relationships.find({"_id": {"$in": ids}}).to_list()
        return {d["_id"]: tuple(d["member_ids"]) for d in found}

    async def write_tracking(
        self,
        *,
        relationships: Sequence[Any],
        journals: Sequence[Any],
        digests: Sequence[Any],
        flags: Sequence[Any],
    ) -> None:
        """A batch's writes to each projection, in event order within each."""
        for collection, ops in (
            (self.relationships, relationships),
            (self.journal_schedules, journals),
            (self.digest_schedules, digests),
            (self.admin_flags, flags),
        ):
            if ops:
                await collection.bulk_write(list(ops), ordered=True)

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

    async def admin_flags_of(self, program_ids: list[str]) -> list[Document]:
        return await self.admin_flags.find({"program_id": {"$in": program_ids}}).to_list()
