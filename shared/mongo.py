"""MongoDB plumbing on ``pymongo.AsyncMongoClient``: client factory, indexes, versioned writes.

Portability rule (why writes look the way they do): aggregates are written whole,
``insert_one`` for a new one and ``replace_one`` filtered on ``{_id, version}`` for a
change (optimistic concurrency), and queries on array fields use ``$in``. That is
correct on every MongoDB deployment and also avoids the update-operator gaps of the
local wire-protocol server (``$push``/``$pull`` of sub-documents, ``$set`` of a
top-level datetime, equality on an indexed array), which the repository contract
tests in ``tests/integration/test_mongo_contract.py`` pin down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient, InsertOne, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

Document = dict[str, Any]

DUPLICATE_KEY = 11000


def duplicate_keys_only(error: BulkWriteError) -> bool:
    """Whether a bulk insert failed only because some ids exist already: what an
    idempotent insert expects when another delivery or worker got there first."""
    details = error.details or {}
    errors = details.get("writeErrors", [])
    concern = details.get("writeConcernErrors", [])
    return bool(errors) and not concern and all(e.get("code") == DUPLICATE_KEY for e in errors)


async def insert_many_idempotent(
    collection: AsyncCollection[Document], docs: Sequence[Document], *, chunk: int = 1000
) -> set[Any]:
    """Insert documents with deterministic ids; one that exists already (a retried
    request, a redelivered event, another worker first) is left as it is. Returns the
    ids that existed. Any other failure raises."""
    existing: set[Any] = set()
    for start in range(0, len(docs), chunk):
        part = docs[start : start + chunk]
        try:
            await collection.bulk_write([InsertOne(d) for d in part], ordered=False)
        except BulkWriteError as exc:
            if not duplicate_keys_only(exc):
                raise
            existing |= {part[e["index"]]["_id"] for e in (exc.details or {})["writeErrors"]}
    return existing


async def page_of(
    db: AsyncDatabase[Document],
    collection: str,
    query: Mapping[str, Any],
    *,
    sort: Sequence[tuple[str, int]],
    limit: int,
    offset: int,
    projection: Mapping[str, Any] | None = None,
) -> tuple[list[Document], int]:
    """One page of a query (ties broken by ``_id``, so pages never overlap) and how many
    documents match it in all. The total comes from the ``count`` command: a count of
    the query's index on MongoDB, while ``count_documents`` runs an aggregation, which
    the local database answers by scanning the whole collection."""
    counted = await db.command("count", collection, query=dict(query))
    keys = [*sort, ("_id", 1)] if all(k != "_id" for k, _ in sort) else list(sort)
    cursor = db[collection].find(dict(query), projection).sort(keys).skip(offset).limit(limit)
    return await cursor.to_list(), int(counted["n"])


def create_client(
    url: str, *, timeout_ms: int = 5000, app_name: str = ""
) -> AsyncMongoClient[Document]:
    """One client per process; datetimes come back timezone-aware (UTC)."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        appname=app_name or None,
    )


@dataclass(frozen=True)
class IndexSpec:
    collection: str
    keys: Sequence[tuple[str, int]]
    unique: bool = False
    name: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


async def ensure_indexes(db: AsyncDatabase[Document], specs: Sequence[IndexSpec]) -> None:
    """Create every index a service declares; idempotent, run at start-up."""
    for spec in specs:
        await db[spec.collection].create_index(
            list(spec.keys), unique=spec.unique, name=spec.name, **dict(spec.options)
        )


class ConcurrencyConflict(Exception):
    """The document changed since it was read; reload and apply the change again."""


class NotFound(Exception):
    """No document with that id."""


class VersionedCollection:
    """Whole-document writes guarded by a ``version`` field (see the module docstring)."""

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def get(self, doc_id: str) -> Document | None:
        return await self.collection.find_one({"_id": doc_id})

    async def require(self, doc_id: str) -> Document:
        doc = await self.get(doc_id)
        if doc is None:
            raise NotFound(doc_id)
        return doc

    async def insert(self, doc: Document) -> Document:
        """Insert a new document at version 1; a duplicate ``_id`` raises DuplicateKeyError."""
        doc = {**doc, "version": 1}
        await self.collection.insert_one(doc)
        return doc

    async def replace(self, doc: Document) -> Document:
        """Write ``doc`` over the version it was read at, bumping the version."""
        expected = doc["version"]
        new = {**doc, "version": expected + 1}
        result = await self.collection.replace_one({"_id": doc["_id"], "version": expected}, new)
        if result.matched_count == 0:
            raise ConcurrencyConflict(str(doc["_id"]))
        return new

    async def insert_many(self, docs: Sequence[Document]) -> set[Any]:
        """Insert new documents at version 1, idempotently (``insert_many_idempotent``)."""
        return await insert_many_idempotent(self.collection, [{**d, "version": 1} for d in docs])

    async def replace_many(self, docs: Sequence[Document]) -> list[Document]:
        """``replace`` for a batch in one round trip; if any document changed since it
        was read, raises ``ConcurrencyConflict`` (the others are written: reload all and
        apply again, which whole-document writes make safe)."""
        if not docs:
            return []
        new = [{**d, "version": d["version"] + 1} for d in docs]
        result = await self.collection.bulk_write(
            [
                ReplaceOne({"_id": d["_id"], "version": d["version"]}, n)
                for d, n in zip(docs, new, strict=True)
            ],
            ordered=False,
        )
        if result.matched_count != len(docs):
            raise ConcurrencyConflict(
                f"{len(docs) - result.matched_count} of {len(docs)} documents"
            )
        return new
