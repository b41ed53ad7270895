"""Posting to webhooks (generic, Slack, Teams), with failures mapped to the domain's, and
what the posting channels share (``PostingSender``: the URL is the person's own, from
their preferences, else the organisation's default).

aiohttp (already a dependency of faust-streaming) rather than httpx here: in this
environment httpx/httpcore without ``sniffio`` retries a failing import on every
request, which capped the fan-out at ~100 requests/s per process.
"""

from __future__ import annotations

from typing import ClassVar

import aiohttp

from services.notifications.domain.model import Channel
from services.notifications.domain.retry import ConnectionFailed, HttpResponse, TimedOut
from services.notifications.senders.base import Outgoing, SendFailed, Undeliverable


class HttpPoster:
    """One pooled HTTP client per process, opened on first use (inside the event loop)."""

    def __init__(self, timeout_s: float, max_connections: int = 100) -> None:
        self.timeout_s = timeout_s
        self.max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                connector=aiohttp.TCPConnector(limit=self.max_connections),
            )
        return self._session

    async def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> None:
        """POST; a non-2xx answer, a timeout or a connection failure raises ``SendFailed``."""
        try:
            async with self._client().post(url, data=content, headers=headers) as response:
                body = await response.read()
                if not 200 <= response.status < 300:
                    raise SendFailed(
                        HttpResponse(response.status, response.headers.get("Retry-After")),
                        body[:200].decode(errors="replace"),
                    )
        except TimeoutError as exc:
            raise SendFailed(TimedOut(), repr(exc)) from exc
        except aiohttp.ClientError as exc:
            raise SendFailed(ConnectionFailed(), repr(exc)) from exc

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def http_client(timeout_s: float, max_connections: int = 100) -> HttpPoster:
    return HttpPoster(timeout_s, max_connections)


class PostingSender:
    """What the posting channels share: the pooled client, the URL and its absence."""

    channel: ClassVar[Channel]
    #: The ``Recipient`` attribute that holds the person's own URL for this channel.
    address: ClassVar[str]

    def __init__(self, client: HttpPoster, *, default_url: str | None) -> None:
        self.client = client
        self.default_url = default_url

    def url_for(self, outgoing: Outgoing) -> str:
        """The person's URL, else the default; neither is ``Undeliverable`` (never retried)."""
        url = getattr(outgoing.recipient, self.address) or self.default_url
        if not url:
            raise Undeliverable(f"no_{self.address}")
        return str(url)

    async def aclose(self) -> None:
        await self.client.aclose()
