"""The matcher store's SCIM users (a base of ``MatcherStore``, only to keep each module
short): the resources an identity provider provisions, kept as it sent them, with the
fact about the person each last published on ``hr.people.v1`` (the outbox rides on them).

A deleted user stays as a tombstone (``deleted``), so its departure can still be relayed
and a user created again with the same id continues its versions."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.mongo import ConcurrencyConflict, Document, IndexSpec, VersionedCollection

SCIM_USERS = "scim_users"

SCIM_INDEXES = [
    IndexSpec(SCIM_USERS, [("user_name_key", 1), ("deleted", 1)]),
    IndexSpec(SCIM_USERS, [("external_id", 1), ("deleted", 1)]),
]


class ScimQueries:
    db: AsyncDatabase[Document]

    def _scim_collections(self) -> None:
        self.scim_users = VersionedCollection(self.db[SCIM_USERS])

    async def insert_scim_user(self, doc: Document) -> Document:
        """A new user at version 1; one created meanwhile under the same id (two
        requests at once) is a ``ConcurrencyConflict``, as a change in between is."""
        try:
            return await self.scim_users.insert(doc)
        except DuplicateKeyError as exc:
            raise ConcurrencyConflict(str(doc["_id"])) from exc

    async def scim_user_named(self, user_name_key: str) -> Document | None:
        """The live user holding a userName (compared in its case-insensitive form)."""
        return await self.db[SCIM_USERS].find_one(
            {"user_name_key": user_name_key, "deleted": False}
        )

    async def page_scim_users(
        self, *, field: str | None, value: str | None, offset: int, limit: int
    ) -> tuple[list[Document], int]:
        """Live users, by id; ``field`` (``user_name_key`` or ``external_id``) equal to
        ``value`` when given."""
        query: dict[str, Any] = {"deleted": False}
        if field is not None:
            query[field] = value
        collection = self.db[SCIM_USERS]
        total = await collection.count_documents(query)
        if limit == 0:
            return [], total
        docs = await collection.find(query).sort("_id", 1).skip(offset).limit(limit).to_list()
        return docs, total

    async def erase_scim_user(self, person_id: str) -> None:
        await self.db[SCIM_USERS].delete_one({"_id": person_id})
