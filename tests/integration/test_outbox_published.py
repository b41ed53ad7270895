"""What a relay remembers of its passes, against the real local server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.mongo import create_client, ensure_indexes
from shared.outbox_published import (
    PUBLISHED,
    REMEMBER_PUBLISHED_MS,
    already_published,
    forget_old_publications,
    published_indexes,
    remember_published,
)
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration


@pytest.fixture
async def db(stack: LocalStack, database_name: str) -> AsyncIterator[object]:
    client = create_client(stack.mongo_url)
    await ensure_indexes(client[database_name], published_indexes())
    yield client[database_name]
    await client.close()


async def test_a_pass_is_one_record_that_finds_each_of_its_events_and_no_other(db) -> None:  # type: ignore[no-untyped-def]
    await remember_published(db, "pass-1", ["e1", "e2", "e3"])
    await remember_published(db, "pass-1", ["e1", "e2", "e3"])  # a retried write

    assert await db[PUBLISHED].count_documents({}) == 1
    assert await already_published(db, ["e2", "e9", "e3"]) == {"e2", "e3"}
    stored = await db[PUBLISHED].find_one({})
    assert "e2" not in str(stored), "fingerprints, never the ids"


async def test_records_older_than_the_hour_are_not_consulted_and_then_forgotten(db) -> None:  # type: ignore[no-untyped-def]
    await remember_published(db, "old-pass", ["e1"])
    await remember_published(db, "new-pass", ["e2"])
    aged = {"$inc": {"at_ms": -REMEMBER_PUBLISHED_MS - 1000}}
    await db[PUBLISHED].update_one({"_id": "old-pass"}, aged)

    assert await already_published(db, ["e1", "e2"]) == {"e2"}
    await forget_old_publications(db)
    assert [d["_id"] for d in await db[PUBLISHED].find({}).to_list()] == ["new-pass"]
