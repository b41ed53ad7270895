"""Fakes for service-layer unit tests: a unit of work over an in-memory database.

The service layer is tested without a broker or a database server (as cosmicpython's
``FakeUnitOfWork``): each service's real store runs over ``mongomock`` behind the async
API the services use, and the unit of work records whether it was committed. What
the in-memory database cannot vouch for (the portable write subset, concurrency, the
relay) stays with the integration tests against the real local server.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import mongomock
from mongomock import DuplicateKeyError
from pymongo import DeleteMany, DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError

from shared.auth import Principal, Role
from shared.contracts.envelope import Envelope
from shared.outbox_staging import PENDING, PENDING_AUDIT
from shared.unit_of_work import UnitOfWork

StoreT = TypeVar("StoreT")
SettingsT = TypeVar("SettingsT")


class BulkResult:
    def __init__(self) -> None:
        self.inserted_count = self.matched_count = self.modified_count = 0
        self.deleted_count = self.upserted_count = 0


def _apply(collection: Any, op: Any, result: BulkResult) -> None:
    if isinstance(op, InsertOne):
        collection.insert_one(op._doc)
        result.inserted_count += 1
    elif isinstance(op, (UpdateOne, UpdateMany, ReplaceOne)):
        method = {
            UpdateOne: collection.update_one,
            UpdateMany: collection.update_many,
            ReplaceOne: collection.replace_one,
        }[type(op)]
        outcome = method(op._filter, op._doc, upsert=bool(op._upsert))
        result.matched_count += outcome.matched_count
        result.modified_count += outcome.modified_count
        result.upserted_count += int(outcome.upserted_id is not None)
    elif isinstance(op, (DeleteOne, DeleteMany)):
        method = collection.delete_one if isinstance(op, DeleteOne) else collection.delete_many
        result.deleted_count += method(op._filter).deleted_count
    else:  # pragma: no cover - a new operation type in a service
        raise TypeError(f"the in-memory database does not know {type(op).__name__}")


def _bulk_write(self: Any, requests: list[Any], ordered: bool = True, **_: Any) -> BulkResult:
    """pymongo's operations carry fields mongomock's own bulk_write no longer reads:
    apply them one by one, with MongoDB's duplicate-key report."""
    result, errors = BulkResult(), []
    for index, op in enumerate(requests):
        try:
            _apply(self, op, result)
        except DuplicateKeyError:
            errors.append({"index": index, "code": 11000, "errmsg": "duplicate key"})
            if ordered:
                break
    if errors:
        raise BulkWriteError({"writeErrors": errors, "writeConcernErrors": []})
    return result


mongomock.collection.Collection.bulk_write = _bulk_write


class _AsyncCursor:
    """``find(...)``: chained sort/skip/limit, then ``to_list()`` or ``async for``."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def sort(self, *args: Any, **kwargs: Any) -> _AsyncCursor:
        self._cursor.sort(*args, **kwargs)
        return self

    def skip(self, count: int) -> _AsyncCursor:
        self._cursor.skip(count)
        return self

    def limit(self, count: int) -> _AsyncCursor:
        self._cursor.limit(count)
        return self

    async def to_list(self, length: int | None = None) -> list[Any]:
        docs = list(self._cursor)
        return docs if length is None else docs[:length]

    def __aiter__(self) -> Any:
        async def iterate() -> Any:
            for doc in self._cursor:
                yield doc

        return iterate()


class _AsyncCollection:
    """The async face of a mongomock collection: every method a coroutine, but ``find``."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.name = collection.name

    def find(self, *args: Any, **kwargs: Any) -> _AsyncCursor:
        return _AsyncCursor(self._collection.find(*args, **kwargs))

    def aggregate(self, *args: Any, **kwargs: Any) -> _AsyncCursor:
        return _AsyncCursor(self._collection.aggregate(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._collection, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return method(*args, **kwargs)

        return call


class _AsyncDatabase:
    def __init__(self, database: Any) -> None:
        self._database = database
        self.name = database.name

    def __getitem__(self, name: str) -> _AsyncCollection:
        return _AsyncCollection(self._database[name])

    def __getattr__(self, name: str) -> _AsyncCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    async def command(self, name: str, collection: str, *, query: Any = None) -> dict[str, Any]:
        """The one database command the stores send, ``count``, answered as MongoDB does."""
        if name != "count":
            raise ValueError(f"the fake database answers only the count command, not {name}")
        return {"n": self._database[collection].count_documents(query or {}), "ok": 1.0}


def memory_database(name: str = "unit") -> Any:
    """An in-memory database with the async API of ``pymongo.AsyncMongoClient``."""
    return _AsyncDatabase(mongomock.MongoClient(tz_aware=True)[name])


def principal(subject: str, *roles: Role) -> Principal:
    return Principal(subject=subject, roles=frozenset(roles or (Role.EMPLOYEE,)))


def fake_unit_of_work(
    store: Callable[[Any], StoreT],
    settings: SettingsT,
    *,
    now: datetime | None = None,
    caller: Principal | None = None,
    database: Any = None,
) -> UnitOfWork[StoreT, SettingsT]:
    """A unit of work whose store is the service's real store over an in-memory
    database; ``uow.committed`` tells whether the work finished."""
    return UnitOfWork(
        store=store(database if database is not None else memory_database()),
        settings=settings,
        source=getattr(settings, "source", "urn:test"),
        now=now or datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        caller=caller,
    )


async def staged_events(collection: Any) -> list[Envelope]:
    """Every event staged on the collection's documents (what the relay would publish)."""
    docs = await collection.find({}).to_list()
    return [Envelope.from_bytes(e["value"]) for d in docs for e in d.get(PENDING, [])]


async def staged_audit(collection: Any) -> list[dict[str, Any]]:
    """Every audit entry staged on the collection's documents."""
    docs = await collection.find({}).to_list()
    return [entry for d in docs for entry in d.get(PENDING_AUDIT, [])]
