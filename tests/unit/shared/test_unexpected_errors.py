"""Any unexpected exception answers a JSON 500 naming a request id, and the connection
stays usable for the caller's next request (uvicorn drops it when an error escapes)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import APIRouter

from shared.http import create_api
from shared.runtime import Runtime
from shared.settings import ServiceSettings
from tools.localstack import free_port

router = APIRouter()


@router.get("/boom")
async def boom() -> dict[str, str]:
    raise RuntimeError("a bug")


@router.get("/fine")
async def fine() -> dict[str, str]:
    return {"status": "fine"}


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    runtime = Runtime(ServiceSettings(service_name="errors-test"))
    app = create_api(runtime, title="t", description="t", routers=[router], require_token=False)
    chosen = free_port()
    config = uvicorn.Config(app, port=chosen, lifespan="off", log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield chosen
    server.should_exit = server.force_exit = True
    thread.join(5)


def _exchange(sock: socket.socket, path: str, request_id: str = "") -> tuple[int, dict, bytes]:
    extra = f"X-Request-ID: {request_id}\r\n" if request_id else ""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers["content-length"]):
        body += sock.recv(65536)
    return int(lines[0].split()[1]), headers, body


def test_an_unexpected_error_is_a_json_500_with_a_request_id_and_the_connection_lives(
    port: int,
) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        status, headers, body = _exchange(sock, "/boom")
        answer = json.loads(body)
        assert status == 500
        assert headers["content-type"] == "application/json"
        assert answer["request_id"] == headers["x-request-id"] and len(answer["request_id"]) == 32
        assert "a bug" not in body.decode()  # no internals leak to the caller

        status, _, body = _exchange(sock, "/fine")  # the same connection, still open
        assert (status, json.loads(body)) == (200, {"status": "fine"})


def test_a_plain_caller_request_id_is_echoed_and_a_hostile_one_replaced(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        _, headers, body = _exchange(sock, "/boom", request_id="portal-123")
        assert headers["x-request-id"] == json.loads(body)["request_id"] == "portal-123"
        _, headers, _ = _exchange(sock, "/fine", request_id="x" * 500)
        assert headers["x-request-id"] != "x" * 500 and len(headers["x-request-id"]) == 32
