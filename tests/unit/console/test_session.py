"""The session cookie keeps who is signed in only as long as nobody alters it."""

from __future__ import annotations

from services.console.session import Session, SessionCodec

SESSION = Session("p-1", ("program_admin",), "header.claims.signature")


def test_a_cookie_the_console_signed_reads_back_as_the_same_session() -> None:
    codec = SessionCodec("k1", max_age_s=60)
    assert codec.decode(codec.encode(SESSION)) == SESSION


def test_an_altered_cookie_or_one_signed_with_another_key_is_no_session() -> None:
    cookie = SessionCodec("k1", max_age_s=60).encode(SESSION)
    signature = cookie.rsplit(".", 1)[1]
    forged = SessionCodec("k1", max_age_s=60).encode(Session("p-2", ("program_admin",), "t"))
    assert SessionCodec("k1", max_age_s=60).decode(forged.split(".")[0] + "." + signature) is None
    assert SessionCodec("k2", max_age_s=60).decode(cookie) is None
    assert SessionCodec("k1", max_age_s=60).decode("garbage") is None
    assert SessionCodec("k1", max_age_s=60).decode(None) is None


def test_a_cookie_older_than_its_max_age_is_no_session() -> None:
    now = [1000.0]
    codec = SessionCodec("k1", max_age_s=60, clock=lambda: now[0])
    cookie = codec.encode(SESSION)
    now[0] += 61
    assert codec.decode(cookie) is None
