"""Fixtures of the integration tests that talk to the local database directly."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.mongo import create_client
from tools.localstack import LocalStack


@pytest.fixture
async def db(stack: LocalStack, database_name: str) -> AsyncIterator[object]:
    """A database of its own on the session's local server."""
    client = create_client(stack.mongo_url)
    yield client[database_name]
    await client.close()
