"""The local database server runs each command on a thread of its own (up to
``COMMAND_THREADS`` in ``tools/nx_database.py``), as MongoDB runs each connection: slow
commands queued for one database's lock do not keep another database's read waiting.

nx-27017 ran commands on asyncio's default pool of 6 threads on 2 cores: commands waiting
for the busy database's lock held every thread, and the read waited until all but five
of them were done."""

from __future__ import annotations

import asyncio
import time

import pytest
from pymongo import AsyncMongoClient

from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

#: Slow commands sent at once to the busy database (6 threads would let the read start
#: only after 12 - 5 = 7 of them).
SLOW_COMMANDS = 12


async def test_a_read_of_one_database_is_answered_while_another_databases_commands_queue(
    stack: LocalStack, database_name: str
) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        stack.mongo_url, maxPoolSize=SLOW_COMMANDS + 4
    )
    busy, quiet = client[f"{database_name}_busy"]["items"], client[f"{database_name}_quiet"]
    try:
        await quiet["items"].insert_one({"_id": "answer"})
        docs = [{"_id": i, "v": i % 7} for i in range(20_000)]
        await busy.insert_many(docs)
        finished: list[float] = []

        async def slow() -> None:
            # $mod is matched in Python against every document: tens of ms a command.
            await busy.update_many({"v": {"$mod": [7, 3]}}, {"$inc": {"n": 1}})
            finished.append(time.monotonic())

        slow_commands = [asyncio.create_task(slow()) for _ in range(SLOW_COMMANDS)]
        await asyncio.sleep(0.05)  # every slow command sent and queued at the server
        assert await quiet["items"].find_one({"_id": "answer"}) == {"_id": "answer"}
        answered = time.monotonic()
        await asyncio.gather(*slow_commands)
    finally:
        await client.close()

    finished_before_the_read = sum(at < answered for at in finished)
    assert finished_before_the_read <= 1, f"the read waited for {finished_before_the_read}"
