"""The notifier: plans reminders and nudges from other services' events and delivers them.

``facts_from_events`` maps ``mentoring.matches.v1`` / ``sessions.v1`` events to domain
facts; ``planner`` applies the domain's plans to the due-queue; ``dispatcher``
(``dispatch_due``, run by the worker's timer) claims due items with a lease, resolves
them against ``preferences``, sends through ``senders`` (e-mail, Slack, Teams, signed
webhook, inbox) once per channel, guarded by the ``ledger``, and retries with backoff.
``erasure`` answers ``hr.person.erased``. The API (bearer tokens; rules in ``deps``)
serves a person their own inbox, preferences and delivery history.
"""
