"""The local database removes expired documents as MongoDB does: at its TTL monitor's
cadence (``tools/nx_database.py``), not on every read of the collection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from shared.mongo import create_client
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration


@pytest.fixture
async def db(stack: LocalStack, database_name: str) -> AsyncIterator[object]:
    client = create_client(stack.mongo_url)
    yield client[database_name]
    await client.close()


async def test_expired_documents_go_at_the_monitors_cadence_not_on_every_read(db) -> None:  # type: ignore[no-untyped-def]
    records = db["records"]
    await records.create_index([("expires_at", 1)], expireAfterSeconds=0)
    past, future = datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(hours=1)
    await records.insert_many(
        [{"_id": "old", "expires_at": past}, {"_id": "live", "expires_at": future}]
    )

    first = {d["_id"] for d in await records.find({}).to_list()}
    await records.insert_one({"_id": "expired-since", "expires_at": past})
    second = {d["_id"] for d in await records.find({}).to_list()}

    assert first == {"live"}, "the first read purges what had expired"
    assert second == {"live", "expired-since"}, "the next purge waits for the monitor"
