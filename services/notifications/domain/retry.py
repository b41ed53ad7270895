"""Retry: classify delivery failures and compute the next attempt with backoff + jitter.

Classification:

* SMTP: 4xx replies are transient (mailbox busy, greylisting), 5xx are permanent
  (550 invalid address). A lost connection or timeout is transient.
* HTTP webhooks (generic, Slack, Teams): 5xx, timeouts and connection errors are
  transient; 4xx are permanent except 408 (request timeout) and 429 (rate limited),
  which are transient. A `Retry-After` header is honoured: the next attempt is never
  earlier than it asks, and a wait longer than `policy.max_retry_after` gives up.

Backoff is "equal jitter": attempt n waits between half and all of
`min(max_delay, base_delay * multiplier ** (n - 1))`, the random part drawn from the
injected `random` (a zero-argument callable returning a float in [0, 1)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

from shared.errors import InvalidInput
from shared.local_time import require_utc

__all__ = [
    "FailureKind",
    "Classification",
    "SmtpReply",
    "HttpResponse",
    "TimedOut",
    "ConnectionFailed",
    "DeliveryFailure",
    "RetryPolicy",
    "RetryAt",
    "GiveUp",
    "RetryDecision",
    "classify_failure",
    "backoff_delay",
    "next_attempt",
    "parse_retry_after",
]


class FailureKind(StrEnum):
    TRANSIENT = "transient"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class SmtpReply:
    """The SMTP server answered with a non-success reply code (e.g. 451, 550)."""

    code: int


@dataclass(frozen=True)
class HttpResponse:
    """The webhook answered with a non-2xx status; `retry_after` is the raw header."""

    status: int
    retry_after: str | None = None


@dataclass(frozen=True)
class TimedOut:
    """No answer within the adapter's timeout."""


@dataclass(frozen=True)
class ConnectionFailed:
    """DNS failure, refused or reset connection, TLS handshake failure."""


DeliveryFailure = SmtpReply | HttpResponse | TimedOut | ConnectionFailed


@dataclass(frozen=True)
class Classification:
    kind: FailureKind
    reason: str
    retry_after: timedelta | None = None

    @property
    def transient(self) -> bool:
        return self.kind is FailureKind.TRANSIENT


def parse_retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """Parse a Retry-After header (delta-seconds or HTTP-date); None if absent or invalid."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - require_utc(now, "now"), timedelta(0))


def classify_failure(failure: DeliveryFailure, *, now: datetime) -> Classification:
    """Decide whether a failed delivery is worth retrying."""
    match failure:
        case SmtpReply(code=code):
            if 400 <= code < 500:
                return Classification(FailureKind.TRANSIENT, f"smtp_{code}")
            if 500 <= code < 600:
                return Classification(FailureKind.PERMANENT, f"smtp_{code}")
            raise InvalidInput(f"SMTP reply {code} is not a failure")
        case HttpResponse(status=status, retry_after=header):
            if status in (408, 429) or 500 <= status < 600:
                wait = parse_retry_after(header, now=now)
                return Classification(FailureKind.TRANSIENT, f"http_{status}", wait)
            if 400 <= status < 500:
                return Classification(FailureKind.PERMANENT, f"http_{status}")
            raise InvalidInput(f"HTTP status {status} is not a failure")
        case TimedOut():
            return Classification(FailureKind.TRANSIENT, "timeout")
        case ConnectionFailed():
            return Classification(FailureKind.TRANSIENT, "connection_failed")
    raise TypeError(f"unknown failure {failure!r}")  # pragma: no cover


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry. `max_attempts` counts the first attempt."""

    max_attempts: int = 6
    base_delay: timedelta = timedelta(seconds=30)
    multiplier: float = 2.0
    max_delay: timedelta = timedelta(hours=1)
    max_retry_after: timedelta = timedelta(hours=6)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InvalidInput("max_attempts must be at least 1")
        if self.base_delay <= timedelta(0) or self.max_delay < self.base_delay:
            raise InvalidInput("need 0 < base_delay <= max_delay")
        if self.multiplier < 1.0:
            raise InvalidInput("multiplier must be >= 1")


@dataclass(frozen=True)
class RetryAt:
    """Try again at `at` (UTC); it will be attempt number `attempt`."""

    at: datetime
    attempt: int
    reason: str


@dataclass(frozen=True)
class GiveUp:
    """Stop retrying; `reason` says why (permanent error or attempts exhausted)."""

    reason: str
    permanent: bool


RetryDecision = RetryAt | GiveUp


def backoff_delay(attempt: int, policy: RetryPolicy, random: Callable[[], float]) -> timedelta:
    """The wait after failed attempt number `attempt` (1-based), with equal jitter."""
    if attempt < 1:
        raise InvalidInput("attempt numbers start at 1")
    base = policy.base_delay.total_seconds()
    cap_seconds = policy.max_delay.total_seconds()
    exponent = min(attempt - 1, 64)  # avoids float overflow on absurd attempt numbers
    ceiling = min(cap_seconds, base * policy.multiplier**exponent)
    draw = min(max(random(), 0.0), 1.0)
    return timedelta(seconds=ceiling / 2 + draw * ceiling / 2)


def next_attempt(
    failure: DeliveryFailure,
    *,
    attempts_made: int,
    now: datetime,
    policy: RetryPolicy | None = None,
    random: Callable[[], float],
) -> RetryDecision:
    """After `attempts_made` attempts, the last of which failed with `failure`."""
    rules = policy or RetryPolicy()
    now = require_utc(now, "now")
    verdict = classify_failure(failure, now=now)
    if not verdict.transient:
        return GiveUp(verdict.reason, permanent=True)
    if attempts_made >= rules.max_attempts:
        return GiveUp(f"{verdict.reason}:max_attempts", permanent=False)
    wait = backoff_delay(attempts_made, rules, random)
    if verdict.retry_after is not None:
        if verdict.retry_after > rules.max_retry_after:
            return GiveUp(f"{verdict.reason}:retry_after_too_long", permanent=False)
        wait = max(wait, verdict.retry_after)
    return RetryAt(now + wait, attempts_made + 1, verdict.reason)
