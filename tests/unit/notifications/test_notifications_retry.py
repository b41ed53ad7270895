"""Specifications: failure classification and exponential backoff with jitter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.domain.retry import (
    ConnectionFailed,
    FailureKind,
    GiveUp,
    HttpResponse,
    RetryAt,
    RetryPolicy,
    SmtpReply,
    TimedOut,
    backoff_delay,
    classify_failure,
    next_attempt,
    parse_retry_after,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(
    max_attempts=5, base_delay=timedelta(seconds=10), max_delay=timedelta(minutes=2)
)


@pytest.mark.parametrize("code", [421, 450, 451, 452])
def test_smtp_4xx_replies_are_transient(code: int) -> None:
    assert classify_failure(SmtpReply(code), now=NOW).kind is FailureKind.TRANSIENT


@pytest.mark.parametrize("code", [550, 551, 553, 554])
def test_smtp_5xx_replies_are_permanent(code: int) -> None:
    assert classify_failure(SmtpReply(code), now=NOW).kind is FailureKind.PERMANENT


@pytest.mark.parametrize(
    "failure",
    [
        HttpResponse(500),
        HttpResponse(503),
        TimedOut(),
        ConnectionFailed(),
        HttpResponse(429),
        HttpResponse(408),
    ],
)
def test_webhook_server_errors_timeouts_and_rate_limits_are_transient(failure: object) -> None:
    assert classify_failure(failure, now=NOW).transient  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 413])
def test_webhook_client_errors_are_permanent(status: int) -> None:
    assert classify_failure(HttpResponse(status), now=NOW).kind is FailureKind.PERMANENT


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    delays = [backoff_delay(n, POLICY, lambda: 1.0) for n in range(1, 7)]

    assert delays[:4] == [timedelta(seconds=s) for s in (10, 20, 40, 80)]
    assert delays[4:] == [timedelta(minutes=2)] * 2


def test_jitter_keeps_each_delay_between_half_and_all_of_its_ceiling() -> None:
    assert backoff_delay(3, POLICY, lambda: 0.0) == timedelta(seconds=20)
    assert backoff_delay(3, POLICY, lambda: 0.5) == timedelta(seconds=30)


def test_transient_failure_is_retried_after_the_backoff() -> None:
    decision = next_attempt(
        SmtpReply(451), attempts_made=2, now=NOW, policy=POLICY, random=lambda: 1.0
    )

    assert decision == RetryAt(NOW + timedelta(seconds=20), attempt=3, reason="smtp_451")


def test_retrying_stops_at_max_attempts() -> None:
    decisions = [
        next_attempt(TimedOut(), attempts_made=n, now=NOW, policy=POLICY, random=lambda: 0.3)
        for n in range(1, 7)
    ]

    assert all(isinstance(d, RetryAt) for d in decisions[:4])
    assert decisions[4] == GiveUp("timeout:max_attempts", permanent=False)
    assert isinstance(decisions[5], GiveUp)


def test_permanent_errors_are_not_retried() -> None:
    decision = next_attempt(
        SmtpReply(550), attempts_made=1, now=NOW, policy=POLICY, random=lambda: 0.5
    )

    assert decision == GiveUp("smtp_550", permanent=True)


def test_retry_after_seconds_is_honoured_when_longer_than_the_backoff() -> None:
    decision = next_attempt(
        HttpResponse(429, retry_after="90"),
        attempts_made=1,
        now=NOW,
        policy=POLICY,
        random=lambda: 1.0,
    )

    assert isinstance(decision, RetryAt) and decision.at == NOW + timedelta(seconds=90)


def test_retry_after_http_date_is_honoured() -> None:
    header = "Mon, 02 Mar 2026 09:05:00 GMT"

    decision = next_attempt(
        HttpResponse(503, retry_after=header),
        attempts_made=1,
        now=NOW,
        policy=POLICY,
        random=lambda: 0.0,
    )

    assert isinstance(decision, RetryAt) and decision.at == NOW + timedelta(minutes=5)


def test_retry_after_longer_than_the_policy_allows_gives_up() -> None:
    decision = next_attempt(
        HttpResponse(429, retry_after=str(7 * 3600)),
        attempts_made=1,
        now=NOW,
        policy=POLICY,
        random=lambda: 0.0,
    )

    assert isinstance(decision, GiveUp) and not decision.permanent


def test_unparseable_retry_after_falls_back_to_backoff() -> None:
    assert parse_retry_after("soon-ish", now=NOW) is None
    assert parse_retry_after(None, now=NOW) is None


def test_a_success_code_is_not_a_failure() -> None:
    with pytest.raises(ValueError):
        classify_failure(SmtpReply(250), now=NOW)
