"""Notification domain: what to send, to whom, when, over which channel, and how.

Pure functions over frozen dataclasses: no I/O and no clock (every function that needs
the time takes `now`). Intended use by the adapters:

1. On each incoming fact: `plan_notifications(fact, now=...)` -> `Plan`. Skip the plan if
   `plan.guard` does not admit it (`guard.admits(last_sequence_applied_for_subject)`).
   Otherwise delete the *pending* items whose `stream` matches a withdrawal's `stream`,
   then insert each notification by `key` unless that key already exists (never reset an
   item that was already sent: its key is the de-duplication guarantee).
2. When an item falls due (`now >= due_at`): `resolve_delivery(item, preferences, now=...)`
   with the person's current preferences. `Deliver(at > now)` means re-queue for `at` and
   resolve again then; `Deliver(at <= now)` means send now over `channels`; `Suppress`
   records the reason; `AddToDigest(digest_at)` holds it for `build_daily_digest`.
3. To send: `render_message(item.type, RenderContext(...))`, then email text,
   `slack_payload`, `teams_payload` or `webhook_request` (signed) for the channel; use
   `delivery_key(item.key, channel)` as the per-channel idempotency key.
4. On failure: `next_attempt(failure, attempts_made=..., now=..., random=...)` ->
   `RetryAt(at)` or `GiveUp(reason, permanent)`.
5. Periodically: per weekly schedule, `weekly_step` says which slot to plan now
   (`plan_journal_prompt`, `plan_admin_digest`) and when to look again.
"""

from .dedupe import dedupe_key, delivery_key, stream_key
from .digest import (
    RELATIONSHIP_FLAGS,
    AdminDigestEntry,
    AdminFlag,
    admin_digest_lines,
    admin_flag_changes,
    build_daily_digest,
    plan_admin_digest,
)
from .errors import InvalidInput
from .facts import (
    ActionItemClosed,
    ActionItemOverdue,
    Fact,
    HealthChanged,
    MatchActivated,
    MatchClosed,
    MatchProposed,
    MatchResponded,
    MeetingCancelled,
    MeetingRescheduled,
    MeetingScheduled,
)
from .model import (
    Channel,
    NotificationType,
    PayloadValue,
    Plan,
    PlannedNotification,
    SequenceGuard,
    SuppressionReason,
    Withdrawal,
)
from .payloads import slack_payload, teams_payload, webhook_body, webhook_request
from .planning import plan_journal_prompt, plan_notifications
from .policy import DEFAULT_MANDATORY_TYPES, URGENT_TYPES, PlanningPolicy
from .preferences import DEFAULT_CHANNELS, MANDATORY_FALLBACK_CHANNELS, Preferences
from .quiet_hours import QuietHours
from .render import RenderContext, RenderedMessage, format_local_time, render_message
from .resolution import AddToDigest, Deliver, DeliveryDecision, Suppress, resolve_delivery
from .retry import (
    Classification,
    ConnectionFailed,
    DeliveryFailure,
    FailureKind,
    GiveUp,
    HttpResponse,
    RetryAt,
    RetryDecision,
    RetryPolicy,
    SmtpReply,
    TimedOut,
    backoff_delay,
    classify_failure,
    next_attempt,
    parse_retry_after,
)
from .schedule import ScheduleStep, WeeklySlot, weekly_step
from .signing import SIGNATURE_HEADER, TIMESTAMP_TOLERANCE, sign_webhook, verify_webhook

__all__ = [
    # vocabulary and plans
    "NotificationType",
    "Channel",
    "SuppressionReason",
    "PayloadValue",
    "PlannedNotification",
    "Withdrawal",
    "SequenceGuard",
    "Plan",
    "InvalidInput",
    # input facts
    "Fact",
    "MatchProposed",
    "MatchResponded",
    "MatchClosed",
    "MatchActivated",
    "MeetingScheduled",
    "MeetingRescheduled",
    "MeetingCancelled",
    "HealthChanged",
    "ActionItemOverdue",
    "ActionItemClosed",
    # planning
    "PlanningPolicy",
    "DEFAULT_MANDATORY_TYPES",
    "URGENT_TYPES",
    "plan_notifications",
    "plan_journal_prompt",
    "WeeklySlot",
    "ScheduleStep",
    "weekly_step",
    # preferences and resolution
    "Preferences",
    "QuietHours",
    "DEFAULT_CHANNELS",
    "MANDATORY_FALLBACK_CHANNELS",
    "Deliver",
    "Suppress",
    "AddToDigest",
    "DeliveryDecision",
    "resolve_delivery",
    # digests
    "build_daily_digest",
    "AdminFlag",
    "AdminDigestEntry",
    "admin_flag_changes",
    "RELATIONSHIP_FLAGS",
    "plan_admin_digest",
    "admin_digest_lines",
    # keys
    "dedupe_key",
    "stream_key",
    "delivery_key",
    # retry
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
    # rendering, payloads, signing
    "RenderContext",
    "RenderedMessage",
    "render_message",
    "format_local_time",
    "slack_payload",
    "teams_payload",
    "webhook_body",
    "webhook_request",
    "SIGNATURE_HEADER",
    "TIMESTAMP_TOLERANCE",
    "sign_webhook",
    "verify_webhook",
]
