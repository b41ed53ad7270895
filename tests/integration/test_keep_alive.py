"""An API keeps an idle client connection open longer than clients keep theirs
(``http_keep_alive_s``): a server that closed it after uvicorn's 5 s raced the next
request a client sent on it (httpx also drops idle connections after 5 s), and that
request failed unanswered ("Server disconnected without sending a response")."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support.processes import running
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: api\r\nConnection: keep-alive\r\n\r\n"


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(REQUEST)
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return head.split(b"\r\n")[0]


async def test_a_connection_idle_past_five_seconds_still_carries_the_next_request(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    with running(stack, "notifications", "api", database=database_name, log_dir=log_dir) as api:
        reader, writer = await asyncio.open_connection("127.0.0.1", int(str(api["port"])))
        try:
            assert await answer(reader, writer) == b"HTTP/1.1 200 OK"
            await asyncio.sleep(6)  # past uvicorn's default keep-alive and httpx's
            assert await answer(reader, writer) == b"HTTP/1.1 200 OK"
        finally:
            writer.close()
