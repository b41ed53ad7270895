"""HMAC-SHA256 signatures for the generic webhook.

Header (`X-Mentoring-Signature`): `t=<unix seconds>,v1=<hex hmac>` where the HMAC is
computed over `"<t>." + body` with the subscriber's secret. The timestamp is signed,
so a receiver rejecting timestamps outside a tolerance window (default 5 minutes)
defeats replay of a captured request. Several `v1=` values may be present during
secret rotation; verification accepts any of the receiver's secrets.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta

from shared.errors import InvalidInput
from shared.local_time import require_utc

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_TOLERANCE",
    "sign_webhook",
    "verify_webhook",
    "compute_signature",
]

SIGNATURE_HEADER = "X-Mentoring-Signature"
TIMESTAMP_TOLERANCE = timedelta(minutes=5)
_SCHEME = "v1"


def _key(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        raise InvalidInput("webhook secret must not be empty")
    return key


def compute_signature(body: bytes, secret: str | bytes, timestamp: int) -> str:
    """Hex HMAC-SHA256 of `"<timestamp>." + body`."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def sign_webhook(
    body: bytes, secrets: str | bytes | Sequence[str | bytes], *, now: datetime
) -> str:
    """The signature header value for `body` sent at `now` (one `v1` per secret)."""
    timestamp = int(require_utc(now, "now").timestamp())
    keys = [secrets] if isinstance(secrets, str | bytes) else list(secrets)
    if not keys:
        raise InvalidInput("at least one webhook secret is required")
    parts = [f"t={timestamp}"] + [
        f"{_SCHEME}={compute_signature(body, k, timestamp)}" for k in keys
    ]
    return ",".join(parts)


def _parse(header: str) -> tuple[int, list[str]] | None:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            return None
        if name == "t":
            if not value.isdigit() or timestamp is not None:
                return None
            timestamp = int(value)
        elif name == _SCHEME:
            signatures.append(value)
    if timestamp is None or not signatures:
        return None
    return timestamp, signatures


def verify_webhook(
    body: bytes,
    header: str,
    secrets: str | bytes | Sequence[str | bytes],
    *,
    now: datetime,
    tolerance: timedelta = TIMESTAMP_TOLERANCE,
) -> bool:
    """True when `header` signs exactly `body` with one of `secrets` within `tolerance`."""
    parsed = _parse(header)
    if parsed is None:
        return False
    timestamp, signatures = parsed
    age = require_utc(now, "now").timestamp() - timestamp
    if abs(age) > tolerance.total_seconds():
        return False
    keys = [secrets] if isinstance(secrets, str | bytes) else list(secrets)
    expected = [compute_signature(body, key, timestamp) for key in keys]
    # Compare every pair so timing does not reveal which candidate matched.
    matched = False
    for candidate in signatures:
        for good in expected:
            matched |= hmac.compare_digest(
                candidate.encode("ascii", "replace"), good.encode("ascii")
            )
    return matched
