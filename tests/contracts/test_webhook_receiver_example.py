"""The webhook receiver example of docs/integration-guide.md is right: run against the
notifier's own signer, it accepts a genuine request and refuses every forgery."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.notifications.domain.signing import SIGNATURE_HEADER, sign_webhook

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "integration-guide.md"
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
BODY = b'{"id": "n-1", "type": "meeting_reminder"}'


@pytest.fixture(scope="module")
def verify() -> Callable[..., bool]:
    section = GUIDE.read_text().split("# Receiving the notifier's webhooks", 1)[1]
    assert SIGNATURE_HEADER in section
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "the guide lost its example"
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), str(GUIDE), "exec"), namespace)  # the documented code itself
    return namespace["verify"]  # type: ignore[return-value]


def test_a_genuine_request_verifies(verify: Callable[..., bool]) -> None:
    header = sign_webhook(BODY, "s3cret", now=NOW)
    assert verify(BODY, header, [b"s3cret"], now=NOW.timestamp() + 30)


def test_during_rotation_either_secret_verifies(verify: Callable[..., bool]) -> None:
    header = sign_webhook(BODY, ["old", "new"], now=NOW)
    assert verify(BODY, header, [b"new"], now=NOW.timestamp())
    assert verify(BODY, header, [b"old"], now=NOW.timestamp())


@pytest.mark.parametrize(
    "forge",
    [
        lambda body, header: (body + b" ", header),  # body changed
        lambda body, header: (body, header.replace("t=", "t=1")),  # timestamp moved
        lambda body, header: (body, header.split(",v1=")[0]),  # signature dropped
        lambda body, header: (body, header[:-4] + "0000"),  # signature altered
    ],
)
def test_a_forged_request_is_refused(verify: Callable[..., bool], forge) -> None:  # type: ignore[no-untyped-def]
    body, header = forge(BODY, sign_webhook(BODY, "s3cret", now=NOW))
    assert not verify(body, header, [b"s3cret"], now=NOW.timestamp())


def test_a_replay_after_the_window_is_refused(verify: Callable[..., bool]) -> None:
    header = sign_webhook(BODY, "s3cret", now=NOW)
    later = NOW + timedelta(minutes=5, seconds=1)
    assert not verify(BODY, header, [b"s3cret"], now=later.timestamp())
    assert not verify(BODY, header, [b"other"], now=NOW.timestamp())
