"""Specifications: the generic webhook's HMAC-SHA256 signature."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain.signing import sign_webhook, verify_webhook

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "whsec_test_only"
BODY = b'{"id":"ntf1:abc","type":"meeting_reminder"}'


def test_signature_verifies_for_the_exact_body() -> None:
    header = sign_webhook(BODY, SECRET, now=NOW)

    assert verify_webhook(BODY, header, SECRET, now=NOW + timedelta(seconds=30))


def test_tampered_body_fails_verification() -> None:
    header = sign_webhook(BODY, SECRET, now=NOW)

    assert not verify_webhook(BODY.replace(b"reminder", b"cancelled"), header, SECRET, now=NOW)


def test_wrong_secret_fails_verification() -> None:
    header = sign_webhook(BODY, SECRET, now=NOW)

    assert not verify_webhook(BODY, header, "another-secret", now=NOW)


def test_replayed_request_outside_the_tolerance_fails() -> None:
    header = sign_webhook(BODY, SECRET, now=NOW)

    assert not verify_webhook(BODY, header, SECRET, now=NOW + timedelta(minutes=6))


def test_tampered_timestamp_fails_verification() -> None:
    header = sign_webhook(BODY, SECRET, now=NOW)
    later = int((NOW + timedelta(minutes=10)).timestamp())
    forged = f"t={later}," + header.split(",", 1)[1]

    assert not verify_webhook(BODY, forged, SECRET, now=NOW + timedelta(minutes=10))


def test_header_carries_the_timestamp_and_a_v1_signature() -> None:
    header = sign_webhook(BODY, SECRET, now=NOW)

    timestamp, signature = header.split(",")
    assert timestamp == f"t={int(NOW.timestamp())}"
    assert signature.startswith("v1=") and len(signature) == 3 + 64


def test_secret_rotation_signs_with_both_and_either_verifies() -> None:
    header = sign_webhook(BODY, ["old-secret", "new-secret"], now=NOW)

    assert verify_webhook(BODY, header, "old-secret", now=NOW)
    assert verify_webhook(BODY, header, ["new-secret"], now=NOW)


def test_malformed_headers_are_rejected() -> None:
    for header in ("", "garbage", "t=abc,v1=00", "v1=00", f"t={int(NOW.timestamp())}"):
        assert not verify_webhook(BODY, header, SECRET, now=NOW)


@given(body=st.binary(max_size=256), flip=st.integers(min_value=0, max_value=255))
def test_any_single_byte_change_breaks_the_signature(body: bytes, flip: int) -> None:
    header = sign_webhook(body, SECRET, now=NOW)
    tampered = body + bytes([flip]) if not body else bytes([body[0] ^ (flip or 1)]) + body[1:]

    assert verify_webhook(body, header, SECRET, now=NOW)
    assert not verify_webhook(tampered, header, SECRET, now=NOW)
