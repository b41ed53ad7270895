"""The matcher store's pool versions (a base of ``MatcherStore``, only to keep each module
short): the tokens a cached candidate pool is checked against, and the scoped reads a
pool needs (its people and their managers; one member's match history).

The API and the worker are separate processes, each with its own cache of encoded
pools (``pool_cache.py``), so the version lives here, in the database both read: one
token for the people projection (any HR fact) and one per program (its enrollments).
Every write that changes them replaces the token with a fresh random one *after* the
write, and a reader reads the tokens *before* it loads, so a pool cached under a token
never misses a change made before the token was read. Random tokens (not counters)
also keep two databases (tests) from ever sharing one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.matcher.store_bulk import LOOKUP_CHUNK, PEOPLE
from shared.mongo import Document, VersionedCollection

#: Documents per reply of the pool's large reads (rosters, a program's matches). The
#: server's default for the later batches of a cursor is 101 documents, so a 100k
#: roster was 2,000 round trips, each queued behind the other clients of a busy local
#: database: 148 s of a 100k preview right after the enrollments (20k docs under two
#: writers: 18-21 s with the default, 3-5 s with 2,000). Not larger: the local server
#: answers one reply at a time, and with 5,000 a loaded one kept the driver's monitor
#: waiting past its timeout, which cancels the reads in flight (a 100k preview failed).
LARGE_READ_BATCH = 1000

POOL_VERSIONS = "pool_versions"
MATCHES = "matches"
PEOPLE_TOKEN = "people"


def program_token_id(program_id: str) -> str:
    return f"program:{program_id}"


def _token_ids(program_id: str) -> list[str]:
    return [PEOPLE_TOKEN, program_token_id(program_id)]


def _etag(program_id: str, tokens: dict[str, str]) -> str | None:
    wanted = _token_ids(program_id)
    return "/".join(tokens[key] for key in wanted) if all(k in tokens for k in wanted) else None


class PoolVersions:
    db: AsyncDatabase[Document]

    async def pool_etag(self, program_id: str) -> str:
        """The people token and the program's enrollments token, as one string (each
        created on first read)."""
        tokens = await self._tokens(program_id)
        etag = _etag(program_id, tokens)
        if etag is None:
            await self._renew([key for key in _token_ids(program_id) if key not in tokens])
            return await self.pool_etag(program_id)
        return etag

    async def read_pool_etag(self, program_id: str) -> str | None:
        """``pool_etag`` without writing: None while a token is not made yet (a read a
        call may send before it knows the program exists)."""
        return _etag(program_id, await self._tokens(program_id))

    async def _tokens(self, program_id: str) -> dict[str, str]:
        query = {"_id": {"$in": _token_ids(program_id)}}
        return {d["_id"]: d["token"] for d in await self.db[POOL_VERSIONS].find(query).to_list()}

    async def touch_people(self) -> None:
        """Every cached pool is out of date: a person's facts changed."""
        await self._renew([PEOPLE_TOKEN])

    async def touch_programs(self, program_ids: Iterable[str]) -> None:
        """These programs' cached pools are out of date: their enrollments changed."""
        await self._renew(sorted({program_token_id(p) for p in program_ids}))

    async def _renew(self, keys: Sequence[str]) -> None:
        if keys:
            await self.db[POOL_VERSIONS].bulk_write(
                [
                    UpdateOne({"_id": key}, {"$set": {"token": uuid.uuid4().hex}}, upsert=True)
                    for key in keys
                ],
                ordered=False,
            )

    async def people_by_ids(self, ids: Sequence[str]) -> list[Document]:
        found: list[Document] = []
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = list(ids[start : start + LOOKUP_CHUNK])
            query = {"_id": {"$in": chunk}}
            found += await self.db[PEOPLE].find(query, batch_size=LOOKUP_CHUNK).to_list()
        return found

    async def people_and_managers(self, person_ids: Sequence[str]) -> list[Document]:
        """The people named and everyone above them in the manager tree (what the
        reporting-chain rule needs), departed ones included. When they are most of the
        people, one read of the whole collection is cheaper than the walk."""
        people = self.db[PEOPLE]
        if 2 * len(person_ids) >= await people.estimated_document_count():
            return await people.find({}, batch_size=LARGE_READ_BATCH).to_list()
        found: dict[str, Document] = {}
        wanted = set(person_ids)
        while wanted:
            found.update({d["_id"]: d for d in await self.people_by_ids(sorted(wanted))})
            managers = {found[p].get("manager_id") for p in wanted if p in found}
            wanted = {m for m in managers if m and m not in found}
        return list(found.values())

    async def matches_of_member(self, person_id: str) -> list[Document]:
        """Every match (any program, any state) the person is a member of, in brief."""
        query = {"member_ids": {"$in": [person_id]}}
        fields = {"program_id": 1, "kind": 1, "state": 1, "created_at": 1, "member_ids": 1}
        return await self.db[MATCHES].find(query, fields).to_list()


class EnrollmentCollection(VersionedCollection):
    """Enrollments whose every write renews their programs' pool tokens afterwards
    (even when the write raised part way, as ``replace_many`` may)."""

    def __init__(self, collection: Any, versions: PoolVersions) -> None:
        super().__init__(collection)
        self._versions = versions

    async def insert(self, doc: Document) -> Document:
        try:
            return await super().insert(doc)
        finally:
            await self._versions.touch_programs([doc["program_id"]])

    async def replace(self, doc: Document) -> Document:
        try:
            return await super().replace(doc)
        finally:
            await self._versions.touch_programs([doc["program_id"]])

    async def insert_many(self, docs: Sequence[Document]) -> set[Any]:
        try:
            return await super().insert_many(docs)
        finally:
            await self._versions.touch_programs(d["program_id"] for d in docs)

    async def replace_many(self, docs: Sequence[Document]) -> list[Document]:
        try:
            return await super().replace_many(docs)
        finally:
            await self._versions.touch_programs(d["program_id"] for d in docs)
