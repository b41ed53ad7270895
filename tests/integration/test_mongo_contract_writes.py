"""What the code relies on from MongoDB's multi-document writes, pinned against the real
local server, whose writes ``tools/nx_database.py`` speeds up: a write command is one
SQLite transaction, and an ``update_many`` that only sets plain values is one statement.
Both must keep MongoDB's answers, which these tests state."""

from __future__ import annotations

import pytest
from bson.int64 import Int64
from pymongo import InsertOne, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError

pytestmark = pytest.mark.integration


async def test_an_update_many_counts_as_modified_only_what_it_changed(db) -> None:  # type: ignore[no-untyped-def]
    items = db["claims"]
    await items.insert_many(
        [
            {"_id": "free", "state": "pending", "lease_ms": 0, "owner": None},
            {"_id": "mine", "state": "pending", "lease_ms": 9, "owner": "me"},
            {"_id": "bare", "state": "pending"},  # no lease fields yet
            {"_id": "done", "state": "done", "lease_ms": 0, "owner": None},
        ]
    )

    claimed = await items.update_many(
        {"state": "pending"}, {"$set": {"lease_ms": Int64(9), "owner": "me"}}
    )

    assert (claimed.matched_count, claimed.modified_count) == (3, 2)
    assert await items.find({"owner": "me"}, {"lease_ms": 1}).sort("_id").to_list() == [
        {"_id": "bare", "lease_ms": 9},
        {"_id": "free", "lease_ms": 9},
        {"_id": "mine", "lease_ms": 9},
    ]
    assert await items.find_one({"_id": "done"}) == {
        "_id": "done",
        "state": "done",
        "lease_ms": 0,
        "owner": None,
    }


async def test_setting_null_adds_a_missing_field_and_a_new_type_is_a_change(db) -> None:  # type: ignore[no-untyped-def]
    items = db["kinds"]
    await items.insert_many(
        [
            {"_id": "null", "owner": None, "n": 1},
            {"_id": "absent", "n": "1"},
            {"_id": "real", "owner": "x", "n": 1.5},
        ]
    )

    nulled = await items.update_many({}, {"$set": {"owner": None}})
    ones = await items.update_many({}, {"$set": {"n": 1}})

    assert (nulled.matched_count, nulled.modified_count) == (3, 2)
    assert (ones.matched_count, ones.modified_count) == (3, 2)
    assert await items.find({"owner": None, "n": 1}).sort("_id").to_list() == [
        {"_id": "absent", "n": 1, "owner": None},
        {"_id": "null", "owner": None, "n": 1},
        {"_id": "real", "owner": None, "n": 1},
    ]


async def test_an_update_many_with_alternatives_changes_only_what_they_select(db) -> None:  # type: ignore[no-untyped-def]
    items = db["alternatives"]
    await items.insert_many(
        [
            {"_id": "a", "kind": "reminder", "state": "done"},
            {"_id": "b", "kind": "nudge", "state": "pending"},
            {"_id": "c", "kind": "digest", "state": "pending"},
        ]
    )
    done = await items.update_many(
        {"$or": [{"kind": "reminder"}, {"kind": "nudge"}]}, {"$set": {"state": "done"}}
    )
    assert (done.matched_count, done.modified_count) == (2, 1)
    states = {d["_id"]: d["state"] for d in await items.find({}).to_list()}
    assert states == {"a": "done", "b": "done", "c": "pending"}


async def test_an_update_many_by_a_list_of_values_selects_equals_and_arrays_holding_one(db) -> None:  # type: ignore[no-untyped-def]
    """A withdrawal's shape: ``$in`` on an indexed field, beside another condition."""
    items = db["withdrawals"]
    await items.create_index([("stream", 1)])
    await items.insert_many(
        [
            {"_id": "a", "stream": "s1", "state": "pending"},
            {"_id": "b", "stream": "s2", "state": "pending"},
            {"_id": "c", "stream": "s1", "state": "done"},
            {"_id": "d", "stream": ["s0", "s2"], "state": "pending"},  # an array holding one
            {"_id": "e", "stream": "s3", "state": "pending"},
            {"_id": "f", "state": "pending"},  # no stream at all
        ]
    )
    withdrawn = await items.update_many(
        {"stream": {"$in": ["s1", "s2"]}, "state": "pending"}, {"$set": {"state": "withdrawn"}}
    )
    assert (withdrawn.matched_count, withdrawn.modified_count) == (3, 3)
    states = {d["_id"]: d["state"] for d in await items.find({}).to_list()}
    assert states == {
        "a": "withdrawn",
        "b": "withdrawn",
        "c": "done",
        "d": "withdrawn",
        "e": "pending",
        "f": "pending",
    }


async def test_an_update_many_of_no_document_matches_nothing(db) -> None:  # type: ignore[no-untyped-def]
    items = db["unmatched"]
    await items.insert_one({"_id": "a", "state": "done"})
    none = await items.update_many({"state": "pending"}, {"$set": {"state": "x"}})
    assert (none.matched_count, none.modified_count) == (0, 0)
    assert await items.find_one({"_id": "a"}) == {"_id": "a", "state": "done"}


async def test_an_unordered_insert_keeps_every_document_but_the_duplicate(db) -> None:  # type: ignore[no-untyped-def]
    ledger = db["ledger"]
    await ledger.insert_one({"_id": "k2", "status": "sent"})

    with pytest.raises(BulkWriteError) as raised:
        await ledger.insert_many(
            [{"_id": f"k{n}", "status": "new"} for n in range(1, 5)], ordered=False
        )

    assert raised.value.details["nInserted"] == 3
    assert [e["index"] for e in raised.value.details["writeErrors"]] == [1]
    stored = {d["_id"]: d["status"] for d in await ledger.find({}).to_list()}
    assert stored == {"k1": "new", "k2": "sent", "k3": "new", "k4": "new"}


async def test_an_ordered_write_keeps_what_it_wrote_before_its_error(db) -> None:  # type: ignore[no-untyped-def]
    """A failing command's earlier writes are not undone (MongoDB has no rollback there)."""
    queue = db["queue"]
    await queue.insert_many([{"_id": "a", "state": "pending"}, {"_id": "taken"}])

    with pytest.raises(BulkWriteError) as raised:
        await queue.bulk_write(
            [
                UpdateMany({"state": "pending"}, {"$set": {"state": "leased"}}),
                InsertOne({"_id": "b", "state": "pending"}),
                InsertOne({"_id": "taken"}),
                UpdateOne({"_id": "a"}, {"$set": {"state": "never"}}),
            ],
            ordered=True,
        )

    assert raised.value.details["nModified"] == 1
    assert raised.value.details["nInserted"] == 1
    stored = {d["_id"]: d.get("state") for d in await queue.find({}).to_list()}
    assert stored == {"a": "leased", "b": "pending", "taken": None}
