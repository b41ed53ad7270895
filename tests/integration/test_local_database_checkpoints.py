"""The local database server copies its write-ahead log back into the database file
from a thread of its own, about once a second (``tools/nx_database.py``,
``_checkpointing``), not inside a command's commit: a write is in the file itself soon
after, without any further write to trigger it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from tools.localstack import LocalStack

pytestmark = pytest.mark.integration


def in_the_file_itself(path: Path, marker: str) -> bool:
    """Whether the database file, read without its write-ahead log, holds ``marker``."""
    file = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return any(marker in str(row) for row in file.execute("SELECT data FROM notes"))
    except sqlite3.OperationalError:  # the collection's table is not in the file yet
        return False
    finally:
        file.close()


async def test_a_write_reaches_the_database_file_within_seconds_without_another_write(
    db,
    stack: LocalStack,  # type: ignore[no-untyped-def]
) -> None:
    await db["notes"].insert_one({"_id": "first", "text": "the table"})
    await db["notes"].insert_one({"_id": "marker", "text": "copied back"})
    path = stack.workdir / "mongo" / f"{db.name}.db"

    deadline = time.monotonic() + 10
    while not in_the_file_itself(path, "copied back"):
        assert time.monotonic() < deadline, "the log was not copied back into the file"
        await asyncio.sleep(0.2)
