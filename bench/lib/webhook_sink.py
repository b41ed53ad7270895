"""A raw-asyncio HTTP sink that counts webhook deliveries by idempotency key (run in a
process of its own by the fan-out bench)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tools.localstack import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


async def serve_counting_sink(port: int, out: Path) -> None:
    """Answer 200 to every request until SIGTERM, then write how many came and how many
    were repeats of an idempotency key already seen."""
    seen: set[str] = set()
    totals = {"requests": 0, "duplicates": 0}
    reply = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length, key = 0, ""
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    lowered = name.strip().lower()
                    if lowered == b"content-length":
                        length = int(value)
                    elif lowered == b"idempotency-key":
                        key = value.strip().decode()
                if length:
                    await reader.readexactly(length)
                totals["requests"] += 1
                if key in seen:
                    totals["duplicates"] += 1
                seen.add(key)
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=4096)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()
    await asyncio.to_thread(out.write_text, json.dumps({**totals, "unique": len(seen)}))


@dataclass
class SinkRun:
    url: str
    counts: dict[str, int] = field(default_factory=dict)


@contextmanager
def running_sink(workdir: Path, name: str) -> Iterator[SinkRun]:
    """The sink in a process of its own; once the block ends, ``counts`` holds
    ``requests``, ``duplicates`` and ``unique``."""
    port, out = free_port(), workdir / f"{name}.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.lib.webhook_sink", str(port), str(out)], cwd=ROOT
    )
    wait_for_port(port)
    run = SinkRun(url=f"http://127.0.0.1:{port}/hook")
    try:
        yield run
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        run.counts = json.loads(out.read_text())


if __name__ == "__main__":
    asyncio.run(serve_counting_sink(int(sys.argv[1]), Path(sys.argv[2])))
