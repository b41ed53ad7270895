"""The local mail sink prints what the notifier sends (``make run`` shows the mail)."""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from tools.localstack import free_port, stop_process, wait_for_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def test_the_mail_sink_prints_from_to_and_subject(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "mailsink.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tools.mailsink"],
            cwd=ROOT,
            env={**os.environ, "MAILSINK_PORT": str(port), "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, proc=proc)
        message = EmailMessage()
        message["From"] = "no-reply@mentoring.local"
        message["To"] = "ana@example.org"
        message["Subject"] = "Reminder: meeting with Bo"
        message.set_content("Hi Ana")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.send_message(message)
        deadline = time.monotonic() + 10
        while "Reminder: meeting with Bo" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        printed = log.read_text()
        assert "From: no-reply@mentoring.local" in printed
        assert "To: ana@example.org" in printed
        assert "Subject: Reminder: meeting with Bo" in printed
    finally:
        stop_process(proc)
    assert proc.returncode == 0
