"""The bulk jobs' store against the real local database: a heartbeat is a datetime a
poll can compare, and it leaves the job's version to the job's own writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.matcher.store import MatcherStore
from shared.mongo import create_client
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

STARTED = datetime(2027, 1, 4, 9, tzinfo=UTC)


@pytest.fixture
async def store(stack: LocalStack, database_name: str) -> AsyncIterator[MatcherStore]:
    client = create_client(stack.mongo_url)
    yield MatcherStore(client[database_name])
    await client.close()


async def test_a_heartbeat_is_a_datetime_and_keeps_the_jobs_version(store: MatcherStore) -> None:
    job = await store.bulk_jobs.insert(
        {"_id": "job-1", "status": "running", "done": 0, "heartbeat_at": STARTED}
    )
    beat_at = STARTED + timedelta(minutes=5)

    await store.beat_bulk_job("job-1", beat_at)

    beaten = await store.bulk_jobs.require("job-1")
    assert beaten["heartbeat_at"] == beat_at
    assert beaten["heartbeat_at"] > STARTED  # compared as a poll compares it
    progressed = await store.bulk_jobs.replace({**job, "done": 1000})
    assert progressed["version"] == job["version"] + 1


async def test_a_finished_job_is_not_beaten_back_to_life(store: MatcherStore) -> None:
    await store.bulk_jobs.insert({"_id": "job-2", "status": "finished", "heartbeat_at": STARTED})

    await store.beat_bulk_job("job-2", STARTED + timedelta(minutes=5))

    assert (await store.bulk_jobs.require("job-2"))["heartbeat_at"] == STARTED
