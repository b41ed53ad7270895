"""A local mail sink for ``make run``: an SMTP server that prints each mail it receives.

``python -m tools.mailsink`` listens on ``MAILSINK_HOST``/``MAILSINK_PORT`` (default
127.0.0.1:1025) and prints From, To and Subject of every message, so a developer sees
what the notifier sends without a real mail server.
"""

from __future__ import annotations

import os
import signal
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


class PrintingHandler:
    """Prints and keeps every received message (tests read ``messages``)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        self.messages.append(message)
        print(
            f"mail  From: {message['From']}  To: {message['To']}  Subject: {message['Subject']}",
            flush=True,
        )
        return "250 Message accepted for delivery"


def main() -> None:
    host = os.environ.get("MAILSINK_HOST", "127.0.0.1")
    port = int(os.environ.get("MAILSINK_PORT", "1025"))
    controller = Controller(PrintingHandler(), hostname=host, port=port)
    controller.start()
    print(f"mail sink listening on smtp://{host}:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
