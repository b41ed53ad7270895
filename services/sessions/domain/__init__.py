"""Pure domain of the sessions service, one module per feature (``goals``,
``action_items``, ``journal``, ``feedback``, ``time_log``, ``meetings``,
``meeting_content``, ``series``, ``slots``, ``calendar``, ``relationships``,
``health``, ``reports``) plus ``events`` and ``errors``. Import from the module.

No I/O and no clock: every function that depends on time takes `now` (timezone-aware).
Transitions return `Outcome(state, events)`; the service layer stores both in one
write (outbox). Refusals are ``shared.errors`` (re-exported by ``errors``).
"""
