"""``make run`` starts again right after a stop: a port whose last connections linger
in TIME-WAIT is free for a server that sets SO_REUSEADDR, as every server here does."""

from __future__ import annotations

import socket

import pytest

from tools.localstack import free_port, port_is_free


def _leave_time_wait_on(port: int) -> None:
    """A server on ``port`` accepts one connection and closes it first: the closing side
    keeps the connection in TIME-WAIT after the server is gone."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen()
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # the server side closes first: its socket enters TIME-WAIT
        client.recv(1)
        client.close()


def test_a_port_left_in_time_wait_is_free_for_the_next_start() -> None:
    port = free_port()
    _leave_time_wait_on(port)
    assert port_is_free(port)


def test_a_port_with_a_listening_server_is_taken() -> None:
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert not port_is_free(server.getsockname()[1])


def test_links_in_messages_open_the_console_on_the_port_it_runs_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tools.platform import DEFAULT_PORTS, platform_env

    monkeypatch.delenv("NOTIFICATIONS_APP_BASE_URL", raising=False)
    env = platform_env({**DEFAULT_PORTS, "CONSOLE_PORT": 9004})
    assert env["NOTIFICATIONS_APP_BASE_URL"] == "http://127.0.0.1:9004"
    monkeypatch.setenv("NOTIFICATIONS_APP_BASE_URL", "https://mentoring.example.com")
    env = platform_env(dict(DEFAULT_PORTS))
    assert env["NOTIFICATIONS_APP_BASE_URL"] == "https://mentoring.example.com"
