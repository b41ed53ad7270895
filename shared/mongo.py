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

from pymongo import AsyncMongoClient
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
