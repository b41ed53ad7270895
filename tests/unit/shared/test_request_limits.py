"""Request limits: oversized bodies get 413, heavy callers get 429 with Retry-After."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request

from shared.limits import BodySizeLimit, TokenBucket


def limited_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    app.add_middleware(BodySizeLimit, max_bytes=100, overrides={"/upload": 1000})
    return app


async def test_a_body_over_the_cap_is_refused_with_413_and_a_larger_cap_applies_per_path() -> None:
    transport = httpx.ASGITransport(app=limited_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.post("/echo", content=b"x" * 100)).json() == {"size": 100}
        too_big = await client.post("/echo", content=b"x" * 101)
        assert too_big.status_code == 413 and "100 bytes" in too_big.json()["detail"]
        assert (await client.post("/upload", content=b"x" * 900)).status_code == 200


async def test_a_streamed_body_without_length_is_cut_off_too() -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(5):
            yield b"x" * 50

    transport = httpx.ASGITransport(app=limited_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/echo", content=chunks())
    assert response.status_code == 413


def test_the_bucket_allows_a_burst_then_paces_each_caller_separately() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=10, per_s=60, burst=3, clock=lambda: now[0])
    assert [bucket.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = bucket.take("a")
    assert 5.9 < wait <= 6.0  # one token every 6 s
    assert bucket.take("b") == 0.0, "another caller has their own bucket"
    now[0] += 6.0
    assert bucket.take("a") == 0.0
