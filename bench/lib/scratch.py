"""A scratch database on the server being measured, dropped afterwards (the floors)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import Document, IndexSpec, create_client, ensure_indexes


@asynccontextmanager
async def scratch_database(
    mongo_url: str, prefix: str, indexes: list[IndexSpec]
) -> AsyncIterator[AsyncDatabase[Document]]:
    """A fresh database named ``prefix_<random>`` with ``indexes`` in place."""
    client = create_client(mongo_url, app_name=f"bench-{prefix}")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        db = client[name]
        await ensure_indexes(db, indexes)
        yield db
    finally:
        await client.drop_database(name)
        await client.close()
