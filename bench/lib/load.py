"""An open-loop HTTP load client: requests at a fixed offered rate, latency counted from
each request's scheduled time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class _Connection:
    """One keep-alive HTTP/1.1 connection of the load client."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, token_header: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(
            b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + token_header + b"\r\n"
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def open_loop_load(
    port: int,
    next_request: Callable[[], tuple[str, bytes]],
    answered_well: Callable[[int, bytes], bool],
    *,
    rate: float,
    seconds: float,
    connections: int = 32,
) -> tuple[int, int, list[float], float]:
    """Offer ``rate`` requests per second for ``seconds``, whatever the answers' pace.

    Each request has a scheduled send time; its latency counts from that time, so
    waiting for a free connection (the server being slow) is part of it. A raw asyncio
    HTTP/1.1 client over keep-alive connections: httpx costs several times the CPU per
    request, and this 2-core box shares it with the API being measured.
    ``next_request`` gives each request's path and header lines; ``answered_well`` judges
    an answer. Returns (answered correctly, errors, latencies in ms, seconds until the last
    answer)."""
    pool: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(_Connection(port))
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}

    async def one(path: str, header_lines: bytes, scheduled: float) -> None:
        conn = await pool.get()
        try:
            status, body = await asyncio.wait_for(conn.get(path, header_lines), timeout=10)
            good = answered_well(status, body)
        except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
            conn.close()
            good = False
        finally:
            pool.put_nowait(conn)
        latencies.append((time.perf_counter() - scheduled) * 1000)
        counts["ok" if good else "errors"] += 1

    total = int(rate * seconds)
    interval = 1.0 / rate
    tasks = []
    started = time.perf_counter()
    for n in range(total):
        scheduled = started + n * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(*next_request(), scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    while not pool.empty():
        pool.get_nowait().close()
    return counts["ok"], counts["errors"], latencies, elapsed
