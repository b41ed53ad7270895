"""Notification domain: what to send, to whom, when, over which channel, and how.

Pure functions over frozen dataclasses: no I/O and no clock (every function that needs
the time takes `now`). Import from the submodules. Intended use by the adapters:

1. On each incoming fact (`facts`): `planning.plan_notifications(fact, now=...)` -> `Plan`.
   Skip the plan if `plan.guard` does not admit it
   (`guard.admits(last_sequence_applied_for_subject)`). Otherwise delete the *pending*
   items whose `stream` matches a withdrawal's `stream`, then insert each notification by
   `key` unless that key already exists (never reset an item that was already sent: its
   key is the de-duplication guarantee).
2. When an item falls due (`now >= due_at`): `resolution.resolve_delivery(item,
   preferences, now=...)` with the person's current preferences. `Deliver(at > now)`
   means re-queue for `at` and resolve again then; `Deliver(at <= now)` means send now
   over `channels`; `Suppress` records the reason; `AddToDigest(digest_at)` holds it for
   `digest.build_daily_digest`.
3. To send: `render.render_message(item.type, RenderContext(...))`, then email text,
   `payloads.slack_payload`, `teams_payload` or `webhook_request` (signed) for the
   channel; use `dedupe.delivery_key(item.key, channel)` as the per-channel idempotency
   key.
4. On failure: `retry.next_attempt(failure, attempts_made=..., now=..., random=...)` ->
   `RetryAt(at)` or `GiveUp(reason, permanent)`.
5. Periodically: per weekly schedule, `schedule.weekly_step` says which slot to plan now
   (`planning.plan_journal_prompt`, `digest.plan_admin_digest`) and when to look again.
"""
