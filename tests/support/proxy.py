"""A TCP proxy that can cut every connection for a while (broker connection faults).

It runs its own event loop in a thread, so clients that block the test's loop (the
kafka-python producer does while it fetches metadata) cannot stall the proxy too.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from tools.localstack import free_port


class CuttableProxy:
    def __init__(self, target_port: int, port: int = 0) -> None:
        self.target_port = target_port
        self.port = port or free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._writers: set[asyncio.StreamWriter] = set()
        self._down = False
        self._server: asyncio.AbstractServer | None = None

    def start(self) -> CuttableProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(5)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._close_all)
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def cut(self, seconds: float) -> None:
        """Drop every open connection and refuse new ones for ``seconds`` (returns at once)."""
        self._loop.call_soon_threadsafe(self._go_down)
        self._loop.call_soon_threadsafe(self._loop.call_later, seconds, self._come_up)

    def _go_down(self) -> None:
        self._down = True
        self._close_all()

    def _come_up(self) -> None:
        self._down = False

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    def _close_all(self) -> None:
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self._down:
            client_w.close()
            return
        try:
            broker_r, broker_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_w.close()
            return
        self._writers |= {client_w, broker_w}
        await asyncio.gather(
            self._pipe(client_r, broker_w), self._pipe(broker_r, client_w), return_exceptions=True
        )
        self._writers -= {client_w, broker_w}

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
